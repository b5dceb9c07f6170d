"""The door every API request passes (api/request.checked): storable text, JSON bodies
of a bounded depth, UTF-8, and only the body types an endpoint takes."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from cscore.api import request
from cscore.errors import BadRequest, UnsupportedMediaType
from cscore.platform.text import MAX_DEPTH


def _event(body: str | None = None, content_type: str | None = None, **extra: Any) -> dict[str, Any]:
    headers = {"Content-Type": content_type} if content_type else {}
    return {"body": body, "headers": headers, "isBase64Encoded": False, **extra}


@pytest.mark.parametrize(
    ("body", "deeper"),
    [
        ("[" * MAX_DEPTH + "]" * MAX_DEPTH, False),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
        (json.dumps({"a": "[[[[" * 40, "b": [1]}), False),  # brackets inside a string do not count
        (json.dumps({"a": '\\"[[[' * 40}), False),  # nor after an escaped quote
        ('{"a": "x"}' + "{" * 40, True),  # malformed, but deep: refused before parsing
        ("[" * 100_000, True),
    ],
)
def test_depth_is_counted_on_the_text(body: str, deeper: bool) -> None:
    assert request.nested_deeper_than(body, MAX_DEPTH) is deeper


def test_a_body_ten_thousand_levels_deep_is_a_400_not_a_recursion_error() -> None:
    with pytest.raises(BadRequest, match=f"{MAX_DEPTH} levels"):
        request.checked(_event('{"a":' * 10_000 + "1" + "}" * 10_000), ())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"label": "x\\ud800"}', "body.label"),
        ('{"records": [{"Name": "ok"}, {"Name": "a\\u0000b"}]}', "body.records[1].Name"),
        ('{"a\\udfff": 1}', "body.<key>"),
    ],
)
def test_unstorable_strings_are_400_naming_the_field(body: str, field: str) -> None:
    with pytest.raises(BadRequest, match=rf"^{re.escape(field)}: not valid text"):
        request.checked(_event(body, "application/json"), ())


def test_query_and_path_values_are_checked() -> None:
    with pytest.raises(BadRequest, match=r"^query.userId: "):
        request.checked(_event(queryStringParameters={"userId": "a\x00"}), ())
    with pytest.raises(BadRequest, match=r"^path.companyId: "):
        request.checked(_event(pathParameters={"companyId": "\ud800"}), ())


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "application/x+json"])
def test_json_types_are_json(content_type: str) -> None:
    event = _event('{"a": 1}', content_type)
    request.checked(event, ())
    assert request.media_type(event) == request.JSON  # what the route's typed body reads as JSON


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x"])
def test_other_types_are_415_unless_the_endpoint_takes_them(content_type: str) -> None:
    with pytest.raises(UnsupportedMediaType, match="Content-Type"):
        request.checked(_event("a=1", content_type), ())
    request.checked(_event("a=1", content_type), (request.media_type(_event("", content_type)),))


def test_a_base64_json_body_must_be_utf8_and_is_handed_on_as_text() -> None:
    event = _event(base64.b64encode('{"label": "Été"}'.encode()).decode(), "application/json", isBase64Encoded=True)
    request.checked(event, ())
    assert (event["body"], event["isBase64Encoded"]) == ('{"label": "Été"}', False)
    invalid = _event(base64.b64encode(b'{"label": "\xff"}').decode(), "application/json", isBase64Encoded=True)
    with pytest.raises(BadRequest, match="UTF-8"):
        request.checked(invalid, ())


def test_no_body_passes_whatever_the_type() -> None:
    request.checked(_event(None, "text/plain"), ())
