"""The People API and the data write API for Person and CompanyPerson over HTTP (SPEC §7),
read back through the object query API."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from cscore.platform import ids
from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration


def _request(stack: LocalStack, key: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    return requests.request(method, f"{stack.api}{path}", headers={"accesskey": key}, timeout=30, **kwargs)


def _envelope(response: requests.Response, status: int, code: str | None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["result"] is (code is None) and body["errorCode"] == code, body
    assert str(uuid.UUID(body["requestId"])) == response.headers["X-Request-Id"]
    return body


def _query(stack: LocalStack, key: str, obj: str, select: list[str], field: str, value: str) -> list[dict[str, Any]]:
    body = {
        "select": select,
        "where": {"conditions": [{"name": field, "alias": "A", "operator": "EQ", "value": [value]}]},
    }
    found = _envelope(_request(stack, key, "POST", f"/v1/data/objects/query/{obj}", json=body), 200, None)
    return list(found["data"]["records"])


def _company(stack: LocalStack, key: str, name: str) -> str:
    data = _envelope(
        _request(stack, key, "POST", "/v1/data/objects/Company", json={"records": [{"Name": name}]}), 200, None
    )
    return str(data["data"]["records"][0]["Gsid"])


def test_people_upsert_creates_updates_and_adds_company_persons(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    acme, globex = _company(stack, key, "Acme"), _company(stack, key, "Globex")
    body = {"Email": "Ann.Lee@example.com", "FirstName": "Ann", "LastName": "Lee", "Phone": "+47 1"}
    body["companies"] = [{"Company_ID": acme, "Title": "CTO"}]
    first = _envelope(_request(stack, key, "PUT", "/v1/peoplemgmt/v1.0/people", json=body), 200, None)["data"]
    assert first["created"] is True and ids.is_gsid(first["Gsid"], ids.PERSON)
    assert [(c["Company_ID"], c["created"]) for c in first["companyPersons"]] == [(acme, True)]

    # The alias path, the e-mail in another case: the same person, one more company.
    again = {"Email": "ann.lee@EXAMPLE.com", "Title": "COO", "Location": "Oslo", "LinkedinUrl": "https://l.in/ann"}
    again["companies"] = [{"Company_ID": acme}, {"Company_ID": globex, "Title": "Advisor"}]
    second = _envelope(_request(stack, key, "PUT", "/v1.0/api/people", json=again), 200, None)["data"]
    assert second["Gsid"] == first["Gsid"] and second["created"] is False
    assert [(c["Company_ID"], c["created"]) for c in second["companyPersons"]] == [(acme, False), (globex, True)]
    assert second["companyPersons"][0]["Gsid"] == first["companyPersons"][0]["Gsid"]

    (person,) = _query(
        stack, key, "Person", ["Gsid", "FirstName", "Title", "Location", "Phone"], "Email", "ann.lee@example.com"
    )
    assert person == {"Gsid": first["Gsid"], "FirstName": "Ann", "Title": "COO", "Location": "Oslo", "Phone": "+47 1"}
    links = _query(stack, key, "CompanyPerson", ["CompanyId", "Title", "CompanyId__gr.Name"], "PersonId", first["Gsid"])
    assert sorted((r["CompanyId__gr.Name"], r["Title"]) for r in links) == [("Acme", "CTO"), ("Globex", "Advisor")]

    # An unknown Company_ID: 400 naming it, nothing written (not even the person's change).
    bad = {"Email": "ann.lee@example.com", "Title": "CEO", "companies": [{"Company_ID": ids.new_gsid(ids.COMPANY)}]}
    refused = _envelope(_request(stack, key, "PUT", "/v1.0/api/people", json=bad), 400, "GSOBJ_1004")
    assert "companies[0].Company_ID" in refused["errorDesc"]
    unknown = _request(stack, key, "PUT", "/v1.0/api/people", json={"Email": "x@example.com", "Colour": "red"})
    assert "Colour" in _envelope(unknown, 400, "GSOBJ_1002")["errorDesc"]
    (person,) = _query(stack, key, "Person", ["Title"], "Email", "ann.lee@example.com")
    assert person["Title"] == "COO"


def test_data_write_api_for_person_and_company_person(stack: LocalStack, tenant: dict[str, str]) -> None:
    key = tenant["accessKey"]
    acme = _company(stack, key, "Acme")
    records = [
        {"Email": "bo@example.com", "FirstName": "Bo"},
        {"Email": "BO@example.com"},
        {"Email": "cy@example.com", "Age": 3},
    ]
    data = _envelope(_request(stack, key, "POST", "/v1/data/objects/Person", json={"records": records}), 200, None)[
        "data"
    ]
    assert data["count"] == 1 and isinstance(data["records"][0]["CreatedDate"], int)
    assert [(e["index"], e["errorCode"]) for e in data["errors"]] == [(1, "GS_1409"), (2, "GSOBJ_1002")]
    bo = data["records"][0]["Gsid"]

    # Gainsight's names: the object company_person, its fields Company_ID and Person_ID.
    links = [
        {"Company_ID": acme, "Person_ID": bo, "Title": "CFO"},
        {"Company_ID": ids.new_gsid(ids.COMPANY), "Person_ID": bo},
    ]
    data = _envelope(
        _request(stack, key, "POST", "/v1/data/objects/company_person", json={"records": links}), 200, None
    )["data"]
    assert data["count"] == 1 and data["records"][0]["CompanyId"] == acme and data["records"][0]["PersonId"] == bo
    assert data["errors"][0]["index"] == 1 and data["errors"][0]["errorCode"] == "GSOBJ_1004"
    link = data["records"][0]["Gsid"]

    update = {"records": [{"Gsid": link, "Title": "CEO"}]}
    data = _envelope(
        _request(stack, key, "PUT", "/v1/data/objects/CompanyPerson", json=update, params={"keys": "Gsid"}), 200, None
    )
    assert data["data"]["records"][0]["Title"] == "CEO"
    update = {"records": [{"Email": "Bo@Example.com", "LastName": "Berg"}]}
    _envelope(_request(stack, key, "PUT", "/v1/data/objects/person", json=update, params={"keys": "Email"}), 200, None)
    (person,) = _query(stack, key, "Person", ["LastName"], "Gsid", bo)
    assert person == {"LastName": "Berg"}
    (found,) = _query(stack, key, "CompanyPerson", ["Title"], "Gsid", link)
    assert found == {"Title": "CEO"}

    nothing = {"records": [{"Email": "nobody@example.com", "LastName": "X"}]}
    failed = _envelope(
        _request(stack, key, "PUT", "/v1/data/objects/Person", json=nothing, params={"keys": "Email"}),
        400,
        "GSOBJ_1011",
    )
    assert failed["data"]["count"] == 0

    # A bad custom field: GSOBJ codes per record, as on Company.
    field = {"name": "Score__gc", "type": "number"}
    _envelope(_request(stack, key, "POST", "/v1/meta/objects/Person/fields", json=field), 200, None)
    bad = {"records": [{"Email": "dee@example.com", "Score__gc": "high"}]}
    _envelope(_request(stack, key, "POST", "/v1/data/objects/Person", json=bad), 400, "GSOBJ_1002")

    # Company in another case is Company's route; an object without this API is 404.
    data = _envelope(
        _request(stack, key, "POST", "/v1/data/objects/company", json={"records": [{"Name": "Initech"}]}), 200, None
    )
    assert ids.is_gsid(data["data"]["records"][0]["Gsid"], ids.COMPANY)
    _envelope(
        _request(stack, key, "POST", "/v1/data/objects/Widget", json={"records": [{"Name": "x"}]}),
        404,
        "OBJECT_NOT_FOUND",
    )
