"""The Company data API's writes over HTTP (SPEC §4b): insert, update, delete, isolation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from cscore.platform import ids, keys
from cscore.platform.dynamo import from_item
from cscore.query import to_epoch_millis
from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
PATH = "/v1/data/objects/Company"


def _request(stack: LocalStack, access_key: str, method: str, path: str = PATH, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{stack.api}{path}", headers={"accesskey": access_key}, timeout=30, **kwargs)


def _envelope(response: requests.Response, status: int, code: str | None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["result"] is (code is None) and body["errorCode"] == code
    assert str(uuid.UUID(body["requestId"])) == response.headers["X-Request-Id"]
    return body


def _item(stack: LocalStack, item_key: dict[str, Any]) -> dict[str, Any] | None:
    table = stack.info["tables"]["TenantTable"]
    found = stack.client("dynamodb").get_item(TableName=table, Key=item_key, ConsistentRead=True).get("Item")
    return from_item(found) if found else None


def test_insert_update_and_delete(stack: LocalStack, tenant: dict[str, str]) -> None:
    t, key = tenant["tenantId"], tenant["accessKey"]
    records = [
        {"Name": "Acme", "SfdcAccountId": "0015g00000AcmeAAA", "ARR": 1000, "RenewalDate": "2027-06-30"},
        {"Name": "Globex", "Industry": "Energy", "OriginalContractDate": 1_800_000_000_000},
    ]
    data = _envelope(_request(stack, key, "POST", json={"records": records}), 200, None)["data"]
    assert data["count"] == 2 and data["errors"] is None
    acme, globex = data["records"]
    assert ids.is_gsid(acme["Gsid"], ids.COMPANY) and ids.is_gsid(globex["Gsid"], ids.COMPANY)
    # Dates answered as epoch milliseconds, as queries answer them (SPEC §7).
    assert acme["Name"] == "Acme" and acme["ARR"] == 1000 and acme["RenewalDate"] == to_epoch_millis("2027-06-30")
    assert globex["OriginalContractDate"] == to_epoch_millis("2027-01-15")
    assert acme["CreatedBy"] == tenant["superAdminGsid"] and isinstance(acme["CreatedDate"], int)
    stored = _item(stack, keys.record(t, "Company", acme["Gsid"]))
    assert stored is not None and stored["GSI2SK"] == f"acme\x01{acme['Gsid']}"
    assert (_item(stack, keys.lookup_index(t, "Company", "Name", "acme")) or {})["gsids"] == [acme["Gsid"]]
    assert (_item(stack, keys.counter(t, "Company")) or {})["total"] == 2

    # Update by Name (case-insensitive), with a parent by name and a CSM by e-mail.
    admin = _item(stack, keys.user(t, tenant["superAdminGsid"])) or {}
    body = {
        "records": [{"Name": "ACME", "Stage": "Adopting", "ParentCompanyName": "globex", "CsmEmail": admin["Email"]}]
    }
    data = _envelope(_request(stack, key, "PUT", json=body, params={"keys": "Name"}), 200, None)["data"]
    (updated,) = data["records"]
    assert updated["Gsid"] == acme["Gsid"] and updated["Stage"] == "Adopting"
    assert updated["ParentCompany"] == globex["Gsid"] and updated["Csm"] == tenant["superAdminGsid"]
    assert updated["ARR"] == 1000 and updated["CreatedDate"] == acme["CreatedDate"]

    # Update by Gsid: a rename moves the Name index entry.
    body = {"records": [{"Gsid": acme["Gsid"], "Name": "Acme Holdings"}]}
    data = _envelope(_request(stack, key, "PUT", json=body, params={"keys": "Gsid"}), 200, None)["data"]
    assert data["records"][0]["Name"] == "Acme Holdings"
    assert _item(stack, keys.lookup_index(t, "Company", "Name", "acme")) is None
    assert (_item(stack, keys.lookup_index(t, "Company", "Name", "acme holdings")) or {})["gsids"] == [acme["Gsid"]]

    # Keys that match nothing: 400 GSOBJ_1011 with the data.
    body = {"records": [{"Name": "Acme", "Stage": "Gone"}]}
    answer = _envelope(_request(stack, key, "PUT", json=body, params={"keys": "Name"}), 400, "GSOBJ_1011")
    assert answer["errorDesc"] == "No entity matches the given criteria"
    assert answer["data"]["count"] == 0 and answer["data"]["errors"][0]["record"] == body["records"][0]

    # Delete: gone, its index entries and the counter follow; a second delete is 404.
    data = _envelope(_request(stack, key, "DELETE", f"{PATH}/{acme['Gsid']}"), 200, None)["data"]
    assert data["records"] == [{"Gsid": acme["Gsid"]}]
    assert _item(stack, keys.record(t, "Company", acme["Gsid"])) is None
    assert _item(stack, keys.lookup_index(t, "Company", "Name", "acme holdings")) is None
    assert _item(stack, keys.lookup_index(t, "Company", "SfdcAccountId", "0015g00000AcmeAAA")) is None
    assert (_item(stack, keys.counter(t, "Company")) or {})["total"] == 1
    _envelope(_request(stack, key, "DELETE", f"{PATH}/{acme['Gsid']}"), 404, "GS_1404")
    _envelope(_request(stack, key, "DELETE", f"{PATH}/not-a-gsid"), 400, "GSOBJ_1004")


def test_more_than_50_records_is_400(stack: LocalStack, tenant: dict[str, str]) -> None:
    body = {"records": [{"Name": f"C{i}"} for i in range(51)]}
    answer = _envelope(_request(stack, tenant["accessKey"], "POST", json=body), 400, "GS_1400")
    assert "at most 50" in answer["errorDesc"]
    assert _item(stack, keys.counter(tenant["tenantId"], "Company")) is None


def test_fifty_records_are_written(stack: LocalStack, tenant: dict[str, str]) -> None:
    body = {"records": [{"Name": f"C{i}", "SfdcAccountId": f"001{i:03d}"} for i in range(50)]}
    data = _envelope(_request(stack, tenant["accessKey"], "POST", json=body), 200, None)["data"]
    assert data["count"] == 50 and len({r["Gsid"] for r in data["records"]}) == 50
    assert (_item(stack, keys.counter(tenant["tenantId"], "Company")) or {})["total"] == 50


def test_unknown_field_and_too_long_name(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    answer = _envelope(
        _request(stack, key, "POST", json={"records": [{"Name": "A", "Colour": "red"}]}), 400, "GSOBJ_1002"
    )
    assert "Colour" in answer["errorDesc"] and answer["data"]["errors"][0]["index"] == 0
    answer = _envelope(_request(stack, key, "POST", json={"records": [{"Name": "N" * 256}]}), 400, "GSOBJ_1001")
    assert "255" in answer["errorDesc"]
    mixed = {"records": [{"Name": "N" * 256}, {"Name": "Fine"}, {"Name": "B", "Colour": "red"}]}
    data = _envelope(_request(stack, key, "POST", json=mixed), 200, None)["data"]
    assert [r["Name"] for r in data["records"]] == ["Fine"]
    assert [(e["index"], e["errorCode"]) for e in data["errors"]] == [(0, "GSOBJ_1001"), (2, "GSOBJ_1002")]
    answer = _envelope(
        _request(stack, key, "PUT", json={"records": [{"Name": "Fine"}]}, params={"keys": "Website"}), 400, "GS_1400"
    )
    assert "Website" in answer["errorDesc"] and "Gsid, Name, SfdcAccountId" in answer["errorDesc"]


def test_another_tenants_companies_are_unknown(stack: LocalStack, tenant: dict[str, str]) -> None:
    other = stack.csadmin("tenant", "create", "--name", "Other company")
    body = {"records": [{"Name": "Private", "SfdcAccountId": "001PRIV"}]}
    (mine,) = _envelope(_request(stack, tenant["accessKey"], "POST", json=body), 200, None)["data"]["records"]
    theirs = other["accessKey"]
    for keys_param, record in (("Gsid", {"Gsid": mine["Gsid"]}), ("Name", {"Name": "Private"})):
        request = {"records": [{**record, "Stage": "Taken"}]}
        _envelope(_request(stack, theirs, "PUT", json=request, params={"keys": keys_param}), 400, "GSOBJ_1011")
    _envelope(_request(stack, theirs, "DELETE", f"{PATH}/{mine['Gsid']}"), 404, "GS_1404")
    child = {"records": [{"Name": "Child", "ParentCompany": mine["Gsid"]}]}
    _envelope(_request(stack, theirs, "POST", json=child), 400, "GSOBJ_1004")
    after = _item(stack, keys.record(tenant["tenantId"], "Company", mine["Gsid"])) or {}
    assert after["Name"] == "Private" and "Stage" not in after
    assert _item(stack, keys.counter(other["tenantId"], "Company")) is None


def test_query_companies_over_http(stack, tenant) -> None:
    import requests

    headers = {"accesskey": tenant["accessKey"]}
    inserted = requests.post(
        f"{stack.api}/v1/data/objects/Company",
        headers=headers,
        json={"records": [{"Name": "Query Me", "RenewalDate": "2027-03-01"}]},
        timeout=30,
    )
    assert inserted.status_code == 200
    body = {
        "select": ["Name", "RenewalDate"],
        "where": {"conditions": [{"name": "Name", "operator": "EQ", "value": ["query me"]}]},
    }
    response = requests.post(f"{stack.api}/v1/data/objects/query/Company", headers=headers, json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"records": [{"Name": "Query Me", "RenewalDate": 1803859200000}]}
    unknown = requests.post(
        f"{stack.api}/v1/data/objects/query/Company", headers=headers, json={"select": ["Shoe"]}, timeout=30
    )
    assert unknown.status_code == 400 and unknown.json()["errorCode"] == "GSOBJ_1002"
    nothing = requests.post(
        f"{stack.api}/v1/data/objects/query/Unicorn", headers=headers, json={"select": ["Name"]}, timeout=30
    )
    assert nothing.status_code == 404 and nothing.json()["errorCode"] == "GS_1404"
