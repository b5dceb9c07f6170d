"""Custom fields over HTTP (SPEC §4b, §6): define them, write them through the users API
and the Company API, query and list by them; the errors of the meta endpoints."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration


def _call(stack: LocalStack, key: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{stack.api}{path}", headers={"accesskey": key}, timeout=30, **kwargs)


def _ok(response: requests.Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] is True
    return body["data"]


def _refused(response: requests.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["result"] is False and body["errorCode"] == code
    return str(body["errorDesc"])


def _fields(obj: str) -> str:
    return f"/v1/meta/objects/{obj}/fields"


def test_custom_fields_end_to_end(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    region = {"name": "Region__gc", "type": "picklist", "picklistValues": ["EMEA", "AMER", "APAC"]}
    field = _ok(_call(stack, key, "POST", _fields("User"), json=region))
    assert field["name"] == "Region__gc" and field["custom"] is True and field["object"] == "User"
    assert [v["label"] for v in field["picklistValues"]] == ["EMEA", "AMER", "APAC"]
    _ok(_call(stack, key, "POST", _fields("Company"), json=region))
    _ok(_call(stack, key, "POST", _fields("Company"), json={"name": "Score__gc", "type": "number"}))

    listed = _ok(_call(stack, key, "GET", _fields("Company")))["fields"]
    by_name = {f["name"]: f for f in listed}
    assert by_name["Name"] == {"name": "Name", "type": "string", "custom": False}
    assert by_name["Region__gc"]["type"] == "picklist" and by_name["Score__gc"]["custom"] is True

    # Users API: create and update with the custom field; list selecting and filtering it.
    records = [
        {"Name": "Ann", "Email": "ann@x.io", "SFDCUserName": "ann@x.io", "Region__gc": "EMEA"},
        {"Name": "Bob", "Email": "bob@x.io", "SFDCUserName": "bob@x.io", "Region__gc": "amer"},
    ]
    created = _ok(_call(stack, key, "POST", "/v1/users/services", json={"records": records}))
    assert created["status"] == "SUCCESS"
    bob = created["records"][1]["Gsid"]
    update = {"records": [{"Gsid": bob, "Region__gc": "APAC"}]}
    updated = _ok(_call(stack, key, "PUT", "/v1/users/services", params={"key": "Gsid"}, json=update))
    assert updated["records"][0]["Region__gc"] == "APAC"
    query = {
        "select": ["Name", "Region__gc"],
        "where": {"conditions": [{"name": "Region__gc", "operator": "IS_NOT_NULL"}]},
        "orderBy": {"Name": "asc"},
    }
    rows = _ok(_call(stack, key, "POST", "/v1/users/services/list", json=query))["users"]
    assert [(r["Name"], r["Region__gc"]) for r in rows] == [("Ann", "EMEA"), ("Bob", "APAC")]

    # Company API: insert and update with custom fields; query by Region__gc.
    companies = [
        {"Name": "Acme", "Region__gc": "EMEA", "Score__gc": 9},
        {"Name": "Globex", "Region__gc": "AMER", "Score__gc": 4},
        {"Name": "Initech"},
    ]
    inserted = _ok(_call(stack, key, "POST", "/v1/data/objects/Company", json={"records": companies}))
    assert inserted["count"] == 3 and inserted["records"][0]["Score__gc"] == 9
    update = {"records": [{"Name": "Initech", "Region__gc": "EMEA", "Score__gc": 1}]}
    _ok(_call(stack, key, "PUT", "/v1/data/objects/Company", params={"keys": "Name"}, json=update))
    query = {
        "select": ["Name", "Region__gc", "Score__gc"],
        "where": {"conditions": [{"name": "Region__gc", "operator": "EQ", "value": ["EMEA"]}]},
        "orderBy": {"Score__gc": "asc"},
    }
    rows = _ok(_call(stack, key, "POST", "/v1/data/objects/query/Company", json=query))["records"]
    assert rows == [
        {"Name": "Initech", "Region__gc": "EMEA", "Score__gc": 1},
        {"Name": "Acme", "Region__gc": "EMEA", "Score__gc": 9},
    ]

    # A value of the wrong type: 400 naming the field, on both write APIs.
    bad = {"records": [{"Name": "Hooli", "Score__gc": "lots"}]}
    desc = _refused(_call(stack, key, "POST", "/v1/data/objects/Company", json=bad), 400, "GSOBJ_1002")
    assert "Score__gc" in desc
    bad = {"records": [{"Name": "Cy", "Email": "cy@x.io", "SFDCUserName": "cy@x.io", "Region__gc": 7}]}
    answer = _call(stack, key, "POST", "/v1/users/services", json=bad)
    _refused(answer, 400, "GU_2401")
    assert "Region__gc" in answer.json()["data"]["errors"][0]["errorMessage"]


def test_meta_endpoint_errors(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    field = {"name": "Region__gc", "type": "string"}
    _ok(_call(stack, key, "POST", _fields("User"), json=field))
    assert "Region__gc" in _refused(_call(stack, key, "POST", _fields("User"), json=field), 409, "GS_1409")
    bad_name = {"name": "Region", "type": "string"}
    assert "name" in _refused(_call(stack, key, "POST", _fields("User"), json=bad_name), 400, "GS_1400")
    bad_type = {"name": "Tier__gc", "type": "currency"}
    assert "type" in _refused(_call(stack, key, "POST", _fields("User"), json=bad_type), 400, "GS_1400")
    _refused(_call(stack, key, "POST", _fields("Opportunity"), json=field), 404, "GS_1404")
    _refused(_call(stack, key, "GET", _fields("Opportunity")), 404, "GS_1404")

    # A key acting as a user who is not a super admin.
    user = {"Name": "Ann", "Email": "ann@x.io", "SFDCUserName": "ann@x.io"}
    created = _ok(_call(stack, key, "POST", "/v1/users/services", json={"records": [user]}))
    gsid = created["records"][0]["Gsid"]
    other = stack.csadmin("key", "create", "--tenant", tenant["tenantId"], "--user", gsid)["accessKey"]
    _refused(_call(stack, other, "GET", _fields("User")), 403, "GS_1403")
    _refused(_call(stack, other, "POST", _fields("User"), json={"name": "X__gc", "type": "string"}), 403, "GS_1403")
