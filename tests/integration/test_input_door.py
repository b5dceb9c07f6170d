"""Input that could poison storage is refused at the door (issue 13): strings that are
not valid Unicode (a lone surrogate, NUL), bodies nested too deep, bodies that are not
UTF-8 or not JSON. Every endpoint runs the same check before its route."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from cscore.platform.text import MAX_DEPTH
from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
SURROGATE = "\ud800"  # requests sends it as the JSON escape \ud800, as any client may


def _call(
    stack: LocalStack, key: str, method: str, path: str, content_type: str | None = None, **kwargs: Any
) -> requests.Response:
    headers = {"accesskey": key} | ({"Content-Type": content_type} if content_type else {})
    return requests.request(method, f"{stack.api}{path}", headers=headers, timeout=30, **kwargs)


def _refused(response: requests.Response, status: int, code: str, *mentions: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["result"], body["errorCode"]) == (False, code)
    for mention in mentions:
        assert mention in body["errorDesc"], body["errorDesc"]
    return str(body["errorDesc"])


def _still_answers(stack: LocalStack, key: str) -> None:
    assert _call(stack, key, "GET", "/v1/tenant").status_code == 200
    roles = _call(stack, key, "GET", "/v1/teams/roles")
    assert roles.status_code == 200, roles.text
    assert all(SURROGATE not in role["label"] for role in roles.json()["data"]["roles"])


RULE = {
    "name": "Own industry",
    "user": {"conditions": [{"name": "Title", "alias": "A", "operator": "IS_NOT_NULL", "value": []}]},
    "company": {"conditions": [{"name": "Industry", "alias": "A", "operator": "EQ", "value": [f"x{SURROGATE}"]}]},
}
POISONED = [
    ("POST", "/v1/teams/roles", {"label": f"Renewals{SURROGATE}"}, "body.label"),
    ("POST", "/v1/teams/roles", {"label": "Renewals\u0000"}, "body.label"),
    ("POST", "/v1/teams/roles", {"label": "ok", f"k{SURROGATE}": 1}, "body.<key>"),
    (
        "POST",
        "/v1/meta/objects/Company/fields",
        {"name": "Region__gc", "type": "picklist", "picklistValues": ["EMEA", SURROGATE]},
        "body.picklistValues[1]",
    ),
    (
        "PUT",
        "/v1/permissions/company",
        {"public": False, "teamBased": True, "rules": [RULE]},
        "body.rules[0].company.conditions[0].value[0]",
    ),
    ("POST", "/v1.0/admin/connector/job/bulk", {"name": f"Team{SURROGATE}", "objectName": "CompanyTeam"}, "body.name"),
    (
        "PUT",
        "/v1/teams/records",
        {"records": [{"CompanyId": "c", "UserId": "u", "Region__gc": SURROGATE}]},
        "body.records[0].Region__gc",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), POISONED, ids=[f"{p[1]}:{p[3]}" for p in POISONED])
def test_unstorable_text_is_400_naming_the_field_and_the_tenant_keeps_answering(
    stack: LocalStack, tenant: dict[str, str], method: str, path: str, body: Any, field: str
) -> None:
    key = tenant["accessKey"]
    _refused(_call(stack, key, method, path, json=body), 400, "GS_1400", field)
    _still_answers(stack, key)


def test_unstorable_query_string_values_are_400(stack: LocalStack, tenant: dict[str, str]) -> None:
    response = _call(stack, tenant["accessKey"], "GET", "/v1/permissions/company/access?userId=a%00b")
    _refused(response, 400, "GS_1400", "userId")


def test_a_body_nested_deeper_than_the_limit_is_400(stack: LocalStack, tenant: dict[str, str]) -> None:
    key, json_type = tenant["accessKey"], "application/json"
    for levels in (1000, MAX_DEPTH + 1):
        deep = "[" * levels + "]" * levels
        response = _call(stack, key, "POST", "/v1/teams/roles", json_type, data=deep)
        _refused(response, 400, "GS_1400", "body", f"{MAX_DEPTH} levels")
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH  # passes the door; the route refuses a list
    response = _call(stack, key, "POST", "/v1/teams/roles", json_type, data=at_limit)
    assert f"{MAX_DEPTH} levels" not in _refused(response, 400, "GS_1400")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_415(stack: LocalStack, tenant: dict[str, str], content_type: str) -> None:
    key = tenant["accessKey"]
    response = _call(stack, key, "POST", "/v1/teams/roles", content_type, data='{"label": "Renewals"}')
    _refused(response, 415, "GS_1415", "Content-Type")
    _still_answers(stack, key)


@pytest.mark.parametrize("content_type", ["application/json", "application/vnd.api+json", None])
def test_json_content_types_are_accepted(stack: LocalStack, tenant: dict[str, str], content_type: str | None) -> None:
    key = tenant["accessKey"]
    response = _call(stack, key, "POST", "/v1/teams/roles", content_type, data=b'{"label": "Renewals"}')
    assert response.status_code == 200, response.text


def test_invalid_utf8_is_400(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    raw = b'{"label": "Renewals \xff\xfe"}'
    response = _call(stack, key, "POST", "/v1/teams/roles", "application/json", data=raw)
    _refused(response, 400, "GS_1400", "body", "UTF-8")
    _still_answers(stack, key)
