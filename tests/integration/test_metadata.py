"""Gainsight's metadata API over HTTP (SPEC §7), as a discovery client uses it: list the
objects, describe each, then read each one by its listed name selecting every described
field, keyset-paged by ModifiedDate + Gsid to the end."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
PAGE = 2


def _call(stack: LocalStack, key: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{stack.api}{path}", headers={"accesskey": key}, timeout=30, **kwargs)


def _ok(response: requests.Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] is True
    return body["data"]


def _where(*conditions: tuple[str, str, list[Any]], expression: str) -> dict[str, Any]:
    named = [{"name": n, "alias": "ABC"[i], "operator": op, "value": v} for i, (n, op, v) in enumerate(conditions)]
    return {"conditions": named, "expression": expression}


def _extract(stack: LocalStack, key: str, obj: str, select: list[str]) -> list[dict[str, Any]]:
    """Every record of ``obj``, ``PAGE`` at a time, each page after the last (ModifiedDate,
    Gsid) seen, as an incremental extractor reads."""
    order = {"ModifiedDate": "asc", "Gsid": "asc"}
    rows: list[dict[str, Any]] = []
    body: dict[str, Any] = {"select": select, "orderBy": order, "limit": PAGE}
    while True:
        page = _ok(_call(stack, key, "POST", f"/v1/data/objects/query/{obj}", json=body))["records"]
        rows += page
        if len(page) < PAGE:
            return rows
        last = page[-1]
        after = (("ModifiedDate", "GTE", [last["ModifiedDate"]]), ("ModifiedDate", "GT", [last["ModifiedDate"]]))
        body["where"] = _where(*after, ("Gsid", "GT", [last["Gsid"]]), expression="A AND (B OR C)")


def _seed(stack: LocalStack, key: str) -> dict[str, list[str]]:
    """Companies with a custom field, users, and team records: the GSIDs by object."""
    _ok(_call(stack, key, "POST", "/v1/meta/objects/Company/fields", json={"name": "Tier__gc", "type": "string"}))
    records = [{"Name": f"Co {i}", "Industry": "Energy", "ARR": i * 10, "Tier__gc": f"T{i % 2}"} for i in range(5)]
    companies = [
        r["Gsid"]
        for r in _ok(_call(stack, key, "POST", "/v1/data/objects/Company", json={"records": records}))["records"]
    ]
    people = [{"Name": f"Member {i}", "Email": f"m{i}@x.io", "SFDCUserName": f"m{i}@x.io"} for i in range(3)]
    users = [
        r["Gsid"] for r in _ok(_call(stack, key, "POST", "/v1/users/services", json={"records": people}))["records"]
    ]
    teams = []
    for company in companies[:2]:
        members = {"records": [{"UserId": user} for user in users]}
        answer = _ok(_call(stack, key, "POST", f"/v1/teams/companies/{company}/members", json=members))
        teams += [r["Gsid"] for r in answer["records"]]
    return {"company": companies, "company_team": teams, "person": [], "company_person": [], "gsuser": users}


def test_discovery_lists_describes_and_reads_every_object_to_the_end(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    seeded = _seed(stack, key)
    listed = _ok(_call(stack, key, "GET", "/v1/meta/services/objects/list", params={"po": "true", "em": "true"}))
    names = [o["objectName"] for o in listed]
    assert set(names) == {"company", "person", "company_person", "company_team", "gsuser"}
    assert all(o["readable"] and o["keyPrefix"] and o["objectType"] in ("STANDARD", "SYSTEM") for o in listed)

    params = {"ic": "true", "cl": "true", "idd": "true", "ihc": "false", "piec": "true"}
    described = {}
    for name in names:
        answer = _ok(_call(stack, key, "GET", f"/v1/meta/services/objects/{name}/describe", params=params))
        assert [o["objectName"] for o in answer] == [name]
        described[name] = answer[0]
    # the same through the body, in one call
    by_body = _ok(_call(stack, key, "POST", "/v1/meta/services/objects/describe", json={"objectNames": names}))
    assert by_body == [described[name] for name in names]

    company_fields = {f["fieldName"]: f for f in described["company"]["fields"]}
    assert company_fields["Tier__gc"]["dataType"] == "STRING" and company_fields["Name"]["required"] is True
    assert company_fields["Csm"]["lookupObject"] == "gsuser" and company_fields["Gsid"]["readOnly"] is True

    seeded["gsuser"].append(tenant["superAdminGsid"])
    for name in names:  # each read by the name the list gave it
        select = [f["fieldName"] for f in described[name]["fields"]]
        rows = _extract(stack, key, name, select)
        order = [(r["ModifiedDate"], r["Gsid"]) for r in rows]
        assert order == sorted(order), name  # pages follow one another, no row twice
        assert sorted(r["Gsid"] for r in rows) == sorted(seeded[name]), name
        assert all(set(select) <= set(r) for r in rows), name
        if name == "company":
            assert sorted(r["Tier__gc"] for r in rows) == ["T0", "T0", "T0", "T1", "T1"]


def test_names_in_any_case_either_vocabulary_and_unknown_objects(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    fields = {}
    for name in ("company_person", "COMPANY_PERSON", "CompanyPerson", "companyPerson"):
        answer = _ok(_call(stack, key, "GET", f"/v1/meta/services/objects/{name}/describe"))
        assert answer[0]["objectName"] == name
        fields[name] = [f["fieldName"] for f in answer[0]["fields"]]
    assert len({tuple(v) for v in fields.values()}) == 1

    for response in (
        _call(stack, key, "GET", "/v1/meta/services/objects/Opportunity/describe"),
        _call(
            stack, key, "POST", "/v1/meta/services/objects/describe", json={"objectNames": ["company", "opportunity"]}
        ),
    ):
        assert response.status_code == 404, response.text
        body = response.json()
        assert (body["result"], body["errorCode"], body["errorDesc"]) == (
            False,
            "OBJECT_NOT_FOUND",
            "Requested object not found.",
        )
    response = _call(stack, key, "POST", "/v1/meta/services/objects/describe", json={"objectNames": []})
    assert response.status_code == 400 and "objectNames" in response.json()["errorDesc"]
