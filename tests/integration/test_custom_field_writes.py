"""Custom fields checked against their definitions on the users API and the bulk CSV path
over HTTP (SPEC §4b, issue 17): the codes of the Company data API (GSOBJ_1002 undefined
or wrong type, GSOBJ_1001 too long, GSOBJ_1005 bad date) in the users API's per-record
errors and in a rejected CSV row's reason; an undefined custom field in a bulk job's
mappings refused when the job is defined."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.integration.stack import LocalStack
from tests.integration.test_bulk_import import BULK, Api
from tests.support import team_bulk_job

pytestmark = pytest.mark.integration


def _define(api: Api, obj: str, name: str, kind: str) -> None:
    api.ok("POST", f"/v1/meta/objects/{obj}/fields", json={"name": name, "type": kind})


def _user(name: str, **extra: Any) -> dict[str, Any]:
    return {"Name": name, "Email": f"{name.lower()}@x.io", "SFDCUserName": f"{name.lower()}@x.io", **extra}


def test_the_users_api_answers_each_records_custom_field_code(stack: LocalStack, tenant: dict[str, str]) -> None:
    api = Api(stack, tenant)
    _define(api, "User", "Nickname__gc", "string")
    _define(api, "User", "Joined__gc", "date")
    _define(api, "User", "Level__gc", "number")
    records = [
        _user("Ann", Nickname__gc="Annie", Joined__gc="2026-01-31", Level__gc=3),
        _user("Bob", Nickname__gc="x" * 256),
        _user("Cy", Joined__gc="2026-02-30"),
        _user("Di", Level__gc="high"),
        _user("Ed", Shoe__gc="42"),
        _user("Flo", Shoe="42"),
    ]
    answer = api.call("POST", "/v1/users/services?notify=false", json={"records": records})
    assert answer.status_code == 200, answer.text
    data = answer.json()["data"]
    assert data["status"] == "PARTIAL_SUCCESS" and [r["Name"] for r in data["records"]] == ["Ann"]
    assert [(e["index"], e["errorCode"]) for e in data["errors"]] == [
        (1, "GSOBJ_1001"),
        (2, "GSOBJ_1005"),
        (3, "GSOBJ_1002"),
        (4, "GSOBJ_1002"),
        (5, "GS_1400"),  # not a custom field: any other unknown field (SPEC §2.1)
    ]
    assert [e["errorMessage"].split(":")[0] for e in data["errors"]] == [
        "Nickname__gc",
        "Joined__gc",
        "Level__gc",
        "Shoe__gc",
        "Shoe",
    ]

    ann = data["records"][0]["Gsid"]
    update = {"records": [{"Gsid": ann, "Joined__gc": "31/01/2026"}]}
    answer = api.call("PUT", "/v1/users/services", params={"key": "Gsid"}, json=update)
    assert answer.status_code == 400 and answer.json()["errorCode"] == "GU_2402", answer.text
    (error,) = answer.json()["data"]["errors"]
    assert error["errorCode"] == "GSOBJ_1005" and error["errorMessage"].startswith("Joined__gc")
    listed = api.ok("POST", "/v1/users/services/list", json={"select": ["Name", "Joined__gc"], "limit": 10})["users"]
    assert [(u["Name"], u["Joined__gc"]) for u in listed if u["Name"] == "Ann"] == [("Ann", "2026-01-31")]


def test_a_bad_custom_cell_is_a_rejected_row_naming_the_field_and_code(
    stack: LocalStack, tenant: dict[str, str]
) -> None:
    api = Api(stack, tenant)
    _define(api, "CompanyTeam", "Seats__gc", "number")
    _define(api, "CompanyTeam", "Since__gc", "date")
    api.ok("POST", "/v1/data/objects/Company", json={"records": [{"Name": "Acme"}, {"Name": "Globex"}]})
    users = [_user("Ann"), _user("Bob"), _user("Cy")]
    assert api.call("POST", "/v1/users/services?notify=false", json={"records": users}).status_code == 200
    header = ["Company Name", "Email ID", "Deleted", "Seats", "Since"]
    mappings = {"Deleted": "Deleted", "Seats": "Seats__gc", "Since": "Since__gc"}

    undefined = api.call(
        "POST", f"{BULK}/bulk", json=team_bulk_job(headers=header, fieldMappings=mappings | {"Since": "Start__gc"})
    )
    assert undefined.status_code == 400 and undefined.json()["errorCode"] == "GS_1400", undefined.text
    assert undefined.json()["errorDesc"].startswith("fieldMappings.Since: Start__gc is not a field of CompanyTeam")

    job = api.ok("POST", f"{BULK}/bulk", json=team_bulk_job(headers=header, fieldMappings=mappings))
    out = io.StringIO()
    rows = [
        ["Acme", "ann@x.io", "", "5", "2026-03-01"],
        ["Acme", "bob@x.io", "", "five", ""],
        ["Globex", "cy@x.io", "", "", "March 1st"],
    ]
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    response = api.upload(job["jobId"], out.getvalue().encode())
    assert response.status_code == 200, response.text
    status = api.wait(response.json()["data"]["statusId"])
    assert (status["status"], status["success"], status["failed"]) == ("COMPLETED", 1, 2), status
    errors = api.call("GET", f"{BULK}/bulkimport/status/{status['statusId']}/errors")
    assert errors.status_code == 200, errors.text
    reasons = {r["Email ID"]: r["reason"] for r in csv.DictReader(io.StringIO(errors.content.decode("utf-8")))}
    assert reasons == {
        "bob@x.io": "Seats__gc: 'five' is not a number (GSOBJ_1002)",
        "cy@x.io": "Since__gc: 'March 1st' is not a date (yyyy-MM-dd) (GSOBJ_1005)",
    }
