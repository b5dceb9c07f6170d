"""Gainsight's names over HTTP (SPEC §7), as existing integrations send them: object and
field names in any case and Gainsight's API names on the query API, the users list and
the Company data API, each answer keyed as the request wrote it; Gainsight's further
Company fields; epoch milliseconds in write answers."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from cscore.query import to_epoch_millis
from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
COMPANY = "/v1/data/objects/Company"


def _call(stack: LocalStack, key: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{stack.api}{path}", headers={"accesskey": key}, timeout=30, **kwargs)


def _ok(response: requests.Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] is True
    return body["data"]


def _query(stack: LocalStack, key: str, obj: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(_ok(_call(stack, key, "POST", f"/v1/data/objects/query/{obj}", json=body))["records"])


def _where(*conditions: tuple[str, str, list[Any]]) -> dict[str, Any]:
    return {"conditions": [{"name": n, "operator": o, "value": v} for n, o, v in conditions]}


def test_company_writes_and_queries_with_gainsights_names(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    record = {
        "NAME": "Acme",
        "arr": 1200,
        "Mrr": 100,
        "RenewalDate": "2027-06-30",
        "BillingAddress": "1 Main St",
        "CompanyType": "Partner",
        "CustomerLifetimeInMonths": 18,
        "IndustryNew": "Energy",
        "ManagedAs": "Enterprise",
        "Summary": "Long-standing",
        "Tags": ["gold", "renewal"],
        "TickerSymbol": "ACM",
        "Users": 250,
    }
    inserted = _ok(_call(stack, key, "POST", COMPANY, json={"records": [record, {"Name": "Bolt"}]}))
    acme, _ = inserted["records"]
    assert acme["NAME"] == "Acme" and acme["arr"] == 1200 and acme["Mrr"] == 100 and "Name" not in acme
    assert acme["RenewalDate"] == to_epoch_millis("2027-06-30") and isinstance(acme["CreatedDate"], int)
    assert acme["Tags"] == ["gold", "renewal"] and acme["Users"] == 250 and acme["TickerSymbol"] == "ACM"

    updated = _ok(
        _call(stack, key, "PUT", COMPANY, params={"keys": "gsid"}, json={"records": [{"GSID": acme["Gsid"], "ARR": 7}]})
    )["records"][0]
    assert updated["GSID"] == acme["Gsid"] and updated["ARR"] == 7 and isinstance(updated["ModifiedDate"], int)

    body = {
        "select": ["Gsid", "Name", "ARR", "Tags", "RenewalDate", "Csm__gr.Email"],
        "where": _where(("Name", "IN", ["acme", "bolt"]), ("Users", "IS_NOT_NULL", [])),
        "orderBy": {"Name": "asc"},
    }
    expected = _query(stack, key, "Company", body)
    assert [r["Name"] for r in expected] == ["Acme"] and expected[0]["ARR"] == 7
    written = ["GSID", "name", "Arr", "TAGS", "renewaldate", "CSM__GR.EMAIL"]
    other = {
        "select": written,
        "where": _where(("NAME", "IN", ["acme", "bolt"]), ("users", "IS_NOT_NULL", [])),
        "orderBy": {"nAmE": "asc"},
    }
    for obj in ("company", "COMPANY", "Company"):
        rows = _query(stack, key, obj, other)
        assert rows == [dict(zip(written, r.values(), strict=True)) for r in expected], obj

    # A wrong type on a new field, two names of one field: 400 naming them, nothing written.
    for bad, words in (
        ({"Name": "Cale", "Users": "many"}, "Users"),
        ({"Name": "Cale", "Tags": "gold"}, "Tags: must be a list of strings"),
        ({"Name": "Cale", "Arr": 1, "ARR": 2}, "Arr, ARR"),
    ):
        refused = _call(stack, key, "POST", COMPANY, json={"records": [bad]})
        assert refused.status_code == 400 and refused.json()["errorCode"] == "GSOBJ_1002", refused.text
        assert words in refused.json()["errorDesc"]
    assert _query(stack, key, "company", {"select": ["Name"], "where": _where(("Name", "EQ", ["Cale"]))}) == []
    unknown = _call(stack, key, "POST", "/v1/data/objects/query/company", json={"select": ["Nmae"]})
    assert unknown.status_code == 400 and unknown.json()["errorCode"] == "GSOBJ_1002" and "Nmae" in unknown.text


def test_gsuser_and_the_users_list_take_gainsights_names(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    people = [{"Name": f"Member {i}", "Email": f"m{i}@x.io", "SFDCUserName": f"m{i}@x.io"} for i in range(5)]
    _ok(_call(stack, key, "POST", "/v1/users/services", json={"records": people}))
    body = {
        "select": ["gsid", "EMAIL", "status", "ModifiedDate"],
        "where": _where(("email", "ENDS_WITH", ["@x.io"])),
        "orderBy": {"Email": "desc"},
        "limit": 2,
    }
    pages = [_query(stack, key, "gsuser", {**body, "offset": offset}) for offset in (0, 2, 4)]
    assert [[r["EMAIL"] for r in page] for page in pages] == [
        ["m4@x.io", "m3@x.io"],
        ["m2@x.io", "m1@x.io"],
        ["m0@x.io"],
    ]
    assert all(list(r) == body["select"] and r["status"] == "Active" for page in pages for r in page)
    assert all(isinstance(r["ModifiedDate"], int) for page in pages for r in page)
    assert _query(stack, key, "User", {**body, "offset": 0}) == pages[0]

    listed = _ok(_call(stack, key, "POST", "/v1/users/services/list", json={**body, "select": ["EMAIL"], "page": 1}))[
        "users"
    ]
    assert [u["EMAIL"] for u in listed] == ["m2@x.io", "m1@x.io"] and all("Status" in u for u in listed)


def test_company_person_by_gainsights_field_names(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    acme = _ok(_call(stack, key, "POST", COMPANY, json={"records": [{"Name": "Acme"}]}))["records"][0]["Gsid"]
    body = {"select": ["Gsid", "CompanyId"], "where": _where(("CompanyId", "EQ", [acme]))}
    renamed = {"select": ["Gsid", "Company_ID"], "where": _where(("company_id", "EQ", [acme]))}
    assert _query(stack, key, "CompanyPerson", body) == _query(stack, key, "company_person", renamed) == []
