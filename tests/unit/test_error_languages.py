"""Error answers in the caller's language (issue 17): ``Accept-Language`` chooses the
language of ``localizedErrorDesc`` and ``localizedMessage``; ``errorDesc`` stays English,
and without the header (or with an unsupported language) answers are as they always were.
Every error code the layer can answer with has a Japanese text."""

from __future__ import annotations

import ast
import json
import re
import string
import uuid
from pathlib import Path
from typing import Any

import pytest

from cscore.api import languages, messages
from cscore.tenants import service as tenants
from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event
from tests.unit.conftest import STACK

LAYER = Path(__file__).resolve().parents[2] / "layers" / "cscore" / "cscore"
CODE_SHAPE = re.compile(r"^(GS|GU|GSOBJ)_[A-Z0-9_]+$")
# Codes SPEC names that no module raises yet (SPEC §2.6 RLS008/009):
# their texts are ready for the code that will raise them.
NAMED_BY_SPEC_ONLY = {"GSOBJ_RLS008", "GSOBJ_RLS009"}
FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}
JA = {"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.8"}


def _codes_in_layer() -> dict[str, str]:
    """Every error code written in the layer -> where: string literals shaped like a code
    (GS_, GU_, GSOBJ_ ...), ``code=`` arguments and the ``code`` of error classes."""
    found: dict[str, str] = {}
    for path in sorted(LAYER.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        where = str(path.relative_to(LAYER))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_SHAPE.match(node.value):
                found.setdefault(node.value, where)
            elif isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                found.setdefault(str(node.value.value), where)
            elif isinstance(node, ast.ClassDef):
                for code in (c for statement in node.body for c in _class_codes(statement)):
                    found.setdefault(code, where)
    return found


def _class_codes(statement: ast.stmt) -> list[str]:
    if not isinstance(statement, ast.Assign):
        return []
    codes = []
    for target in statement.targets:
        names = target.elts if isinstance(target, ast.Tuple) else [target]
        values = statement.value.elts if isinstance(statement.value, ast.Tuple) else [statement.value]
        for name, value in zip(names, values, strict=False):
            if isinstance(name, ast.Name) and name.id == "code" and isinstance(value, ast.Constant):
                codes.append(str(value.value))
    return codes


def test_every_code_the_layer_answers_with_has_a_japanese_text() -> None:
    found = _codes_in_layer()
    assert {"GS_1400", "GU_2403", "GSOBJ_1013", "GS_SF_1005", "GS_APIG_2401"} <= set(found)  # the scan sees
    missing = {code: where for code, where in found.items() if code not in messages.CODES}
    assert not missing, f"codes without Japanese text (add them to cscore/api/messages.py): {missing}"


def test_every_catalogued_code_is_one_the_product_has() -> None:
    stray = set(messages.CODES) - set(_codes_in_layer()) - NAMED_BY_SPEC_ONLY
    assert not stray, f"catalogued codes nothing raises: {stray}"


def test_every_text_is_filled() -> None:
    for code, description in messages.CODES.items():
        assert description.english.strip() and description.japanese.strip(), code
        assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", description.japanese), code


def test_every_japanese_shape_uses_only_its_own_groups() -> None:
    # a template naming a group its pattern lacks would fail while answering an error
    for pattern, japanese in messages._COMPILED:
        used = {name for _, name, _, _ in string.Formatter().parse(japanese) if name}
        assert used <= set(pattern.groupindex), (pattern.pattern, japanese)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("ja", "ja"),
        ("ja-JP", "ja"),
        ("JA-jp", "ja"),
        ("ja-JP,ja;q=0.9,en;q=0.8", "ja"),
        ("en-GB,en-US;q=0.9,en;q=0.8", "en"),  # the seed's sample header
        ("fr", "en"),  # unsupported: the default
        ("fr, ja;q=0.5", "ja"),  # the best supported one, even at a low weight
        ("fr;q=1, en;q=0.2, ja;q=0.3", "ja"),
        ("en;q=0.5, ja;q=0.5", "en"),  # a tie: the one named first
        ("ja;q=0.5, en;q=0.5", "ja"),
        ("*", "en"),
        ("ja;q=0, *", "en"),  # q=0: not this one
        ("ja-JP;q=0", "en"),
        ("en;q=0, ja;q=0.1", "ja"),
        (" ja ; Q=0.7 ", "ja"),
        ("ja;q=2", "en"),  # not a qvalue: the element is left out
        ("ja;q=0.1234, en;q=0.1", "en"),
        ("j@, ja;q=0.4", "ja"),
        ("japanese", "en"),  # a range is a whole subtag, not a prefix
    ],
)
def test_the_language_is_the_best_supported_range(header: str | None, language: str) -> None:
    assert languages.preferred(header) == language


def test_a_header_sent_twice_is_one_list() -> None:
    event = {"multiValueHeaders": {"accept-language": ["fr", "ja;q=0.5"]}, "headers": {"accept-language": "ja;q=0.5"}}
    assert languages.of_event(event) == "ja"
    assert languages.of_event({"headers": {"ACCEPT-LANGUAGE": "ja"}}) == "ja"
    assert languages.of_event({}) == "en"


@pytest.mark.parametrize(
    ("code", "desc", "japanese"),
    [
        ("GU_1101", "Oops! Something went wrong.", "ウップス!何かが間違っていた。"),
        (
            "GS_1400",
            "records[0].Email: Field required; records[0].count: Input should be greater than or equal to 0",
            "records[0].Email: 必須です; records[0].count: 0以上である必要があります",
        ),
        ("GU_2403", "Lookup objects [Company1] are not valid", "ルックアップオブジェクト [Company1] は無効です"),
        (
            "GS_1400",
            "mappings[2].target: PK is not a field of Company",
            "mappings[2].target: PKはCompanyのフィールドではありません",
        ),
        (
            "GS_1409",
            "A run of this job is already queued or running",
            "このジョブの実行は既にキューに入っているか、実行中です",
        ),
        (  # a message of no known shape: the code's description, then the message as it is
            "GS_1409",
            "another invocation took over this run",
            "現在の状態と競合しています: another invocation took over this run",
        ),
        (  # "; " inside one sentence: its parts are of no known shape
            "GS_1413",
            "file: larger than 4 MB; upload it through POST .../bulkimport/upload-url",
            "リクエスト本文が大きすぎます: file: larger than 4 MB; upload it through POST .../bulkimport/upload-url",
        ),
        (
            "GS_1404",
            "jobId: no bulk job 1C05X in this tenant",
            "jobId: このテナントに一括ジョブ1C05Xは存在しません",
        ),
        (
            "GS_1400",
            "records[0].Email: must be a string; filter: unexpected ')' at position 11",
            "不正なリクエストです: records[0].Email: 文字列である必要があります; filter: unexpected ')' at position 11",
        ),
    ],
)
def test_messages_of_a_stable_shape_are_translated_keeping_field_paths(code: str, desc: str, japanese: str) -> None:
    assert messages.localized(code, desc, "ja") == (japanese, messages.CODES[code].japanese)
    assert messages.localized(code, desc, "en") == (desc, None)


def _call(name: str, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    function = FUNCTIONS[name]
    handler = load_handler(function.code_dir, function.handler, f"unit_languages_{name}")
    response = handler(event, LambdaContext(function.name, 512, function.arn, str(uuid.uuid4()), 10_000))
    return response["statusCode"], json.loads(response["body"])


LOOKUPS = {"CompanyID": {"fields": {"CompanyName": "Name"}, "lookupField": "Gsid", "objectName": "Company1"}}
UNKNOWN_COMPANY = "1P02" + "0" * 32


def _cases(key: str) -> list[tuple[str, dict[str, Any], int, str, str, str]]:
    """(function, event, status, code, errorDesc, its Japanese) for a sample of codes."""
    return [
        (
            "tenant_get",
            api_event("GET", "/v1/tenant", "nobody.nothing.secret"),
            401,
            "GS_APIG_2401",
            "Unauthorized",
            "認証されていません(アクセスキーがないか、無効です)",
        ),
        (
            "users_create",
            api_event("POST", "/v1/users/services", key, {"records": [{"Email": "a@b.co"}], "lookups": LOOKUPS}),
            400,
            "GU_2403",
            "Lookup objects [Company1] are not valid",
            "ルックアップオブジェクト [Company1] は無効です",
        ),
        (
            "users_list",
            api_event("POST", "/v1/users/services/list", key, {"select": ["Name", "Shoe"]}),
            400,
            "GU_1705",
            "Invalid select fields: Shoe",
            "無効な選択フィールドです: Shoe",
        ),
        (
            "teams_roles_create",
            api_event("POST", "/v1/teams/roles", key, {"label": 7}),
            400,
            "GS_1400",
            "label: must be a string",
            "label: 文字列である必要があります",
        ),
        (
            "companies_delete",
            api_event(
                "DELETE",
                f"/v1/data/objects/Company/{UNKNOWN_COMPANY}",
                key,
                params={"gsid": UNKNOWN_COMPANY},
                resource="/v1/data/objects/Company/{gsid}",
            ),
            404,
            "GS_1404",
            f"No Company with GSID {UNKNOWN_COMPANY}",
            f"GSID {UNKNOWN_COMPANY}の会社はありません",
        ),
    ]


@pytest.mark.parametrize("index", range(5))
def test_handlers_answer_in_japanese_when_asked(aws_tables, index: int) -> None:
    tenant = tenants.create_tenant("Languages")
    name, event, status, code, desc, japanese = _cases(tenant["accessKey"])[index]
    event["headers"] |= JA
    event["multiValueHeaders"] |= {k: [v] for k, v in JA.items()}
    got_status, answer = _call(name, event)
    assert (got_status, answer["errorCode"]) == (status, code), answer
    assert answer["errorDesc"] == desc  # English stays where it was
    assert answer["localizedErrorDesc"] == japanese
    assert answer["localizedMessage"] == messages.CODES[code].japanese
    assert answer["message"] is None


@pytest.mark.parametrize("header", [None, "en-GB,en-US;q=0.9,en;q=0.8", "fr-FR", "ja;q=0, en"])
@pytest.mark.parametrize("index", range(5))
def test_handlers_answer_as_before_otherwise(aws_tables, index: int, header: str | None) -> None:
    tenant = tenants.create_tenant("Languages")
    name, event, status, code, desc, _ = _cases(tenant["accessKey"])[index]
    if header is not None:
        event["headers"]["Accept-Language"] = header
        event["multiValueHeaders"]["Accept-Language"] = [header]
    got_status, answer = _call(name, event)
    assert (got_status, answer["errorCode"]) == (status, code), answer
    assert (answer["errorDesc"], answer["localizedErrorDesc"]) == (desc, desc)
    assert (answer["message"], answer["localizedMessage"]) == (None, None)
