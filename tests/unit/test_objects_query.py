"""POST /v1/data/objects/query/{Object} for Person, CompanyPerson and CompanyTeam (records
written by the bulk path, as the Salesforce sync writes them)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.catalog import SHAPES
from cscore.companies import service as companies
from cscore.errors import ApiError
from cscore.objects import query
from cscore.objects.bulk import BulkStore
from cscore.tenants import service as tenants
from cscore.users import service as users
from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event
from tests.unit.conftest import STACK

FUNCTION = next(f for f in STACK.functions() if f.code_dir.name == "objects_query")
HANDLER = load_handler(FUNCTION.code_dir, FUNCTION.handler, "unit_objects_query")


@pytest.fixture
def admin(aws_tables) -> Principal:
    return auth.authenticate({"accesskey": tenants.create_tenant("Objects")["accessKey"]})


def _write(admin: Principal, obj: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    store = BulkStore(admin.tenant_id, SHAPES[obj], admin.user_gsid)
    written = store.upsert([(None, row) for row in rows])
    store.flush()
    return written


@pytest.fixture
def data(admin, fake_clock) -> dict[str, Any]:
    ann, bob = users.create_users(
        admin,
        {"records": [{"FirstName": "Ann", "LastName": "Lee", "Email": "ann@x.io", "SFDCUserName": "ann@x.io"},
                     {"FirstName": "Bob", "LastName": "Ray", "Email": "bob@x.io", "SFDCUserName": "bob@x.io"}]},
    )["records"]  # fmt: skip
    acme, bolt = companies.insert_companies(admin, [{"Name": "Acme"}, {"Name": "Bolt"}])["records"]
    persons = []
    for email, first, last in (("pia@x.io", "Pia", "Park"), ("raj@y.io", "Raj", "Rao"), ("sue@x.io", "Sue", "Sun")):
        fake_clock.at += 60  # distinct ModifiedDates
        persons += _write(admin, "Person", [{"Email": email, "FirstName": first, "LastName": last, "Title": "CEO"}])
    pia, raj, sue = persons
    links = _write(
        admin,
        "CompanyPerson",
        [{"CompanyId": acme["Gsid"], "PersonId": pia["Gsid"], "SfdcContactId": "003A", "Title": "Buyer"},
         {"CompanyId": acme["Gsid"], "PersonId": raj["Gsid"], "SfdcContactId": "003B"},
         {"CompanyId": bolt["Gsid"], "PersonId": sue["Gsid"], "SfdcContactId": "003C", "Title": "Owner"}],
    )  # fmt: skip
    member = {"TeamRole": "Account Manager", "UserSource": "Manual"}
    team = _write(
        admin,
        "CompanyTeam",
        [{"CompanyId": acme["Gsid"], "UserId": ann["Gsid"], "UserAccess": "Admin", **member},
         {"CompanyId": acme["Gsid"], "UserId": bob["Gsid"], "UserAccess": "Member", "UserManagerRole1": ann["Gsid"],
          **member},
         {"CompanyId": bolt["Gsid"], "UserId": ann["Gsid"], "UserAccess": "Member", **member,
          "UserSource": "Salesforce", "SfdcAccountTeamMemberId": "01MA"}],
    )  # fmt: skip
    return {"persons": persons, "links": links, "team": team, "acme": acme, "bolt": bolt, "ann": ann, "bob": bob}


def _q(admin: Principal, obj: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    return query.query_objects(admin, obj, body)["records"]


def _where(*conditions: dict[str, Any], expression: str | None = None) -> dict[str, Any]:
    where: dict[str, Any] = {"conditions": list(conditions)}
    if expression:
        where["expression"] = expression
    return where


def test_persons_with_conditions_order_and_epoch_millis(admin, data) -> None:
    rows = _q(
        admin,
        "Person",
        {"select": ["Email", "FirstName", "CreatedDate"],
         "where": _where({"name": "Email", "operator": "ENDS_WITH", "value": ["@X.io"]}),
         "orderBy": {"LastName": "desc"}},
    )  # fmt: skip
    assert [r["Email"] for r in rows] == ["sue@x.io", "pia@x.io"]
    assert rows[1] == {"Email": "pia@x.io", "FirstName": "Pia", "CreatedDate": 1_800_000_060_000}
    assert data["persons"][0]["CreatedDate"] == "2027-01-15T08:01:00.000Z"
    since = _where({"name": "ModifiedDate", "operator": "GT", "value": ["2027-01-15 08:01:30"]})
    assert [r["Email"] for r in _q(admin, "Person", {"select": ["Email"], "where": since})] == ["raj@y.io", "sue@x.io"]


def test_company_persons_through_lookup_paths(admin, data) -> None:
    body = {
        "select": ["Title", "CompanyId__gr.Name", "PersonId__gr.Email"],
        "where": _where({"name": "CompanyId__gr.Name", "operator": "EQ", "value": ["acme"]}),
        "orderBy": {"PersonId__gr.Email": "desc"},
    }
    assert _q(admin, "CompanyPerson", body) == [
        {"Title": None, "CompanyId__gr.Name": "Acme", "PersonId__gr.Email": "raj@y.io"},
        {"Title": "Buyer", "CompanyId__gr.Name": "Acme", "PersonId__gr.Email": "pia@x.io"},
    ]
    owners = _where({"name": "Title", "operator": "IS_NOT_NULL", "value": []})
    rows = _q(
        admin, "CompanyPerson", {"select": ["SfdcContactId"], "where": owners, "orderBy": {"SfdcContactId": "asc"}}
    )
    assert rows == [{"SfdcContactId": "003A"}, {"SfdcContactId": "003C"}]


def test_company_teams_with_lookups_limit_and_offset(admin, data) -> None:
    ann = data["ann"]["Gsid"]
    body: dict[str, Any] = {
        "select": ["CompanyId__gr.Name", "UserId__gr.Email", "UserAccess", "TeamRole", "UserManagerRole1__gr.Email"],
        "orderBy": {"CompanyId__gr.Name": "asc", "UserId__gr.Email": "asc"},
    }
    rows = _q(admin, "CompanyTeam", body)
    assert [(r["CompanyId__gr.Name"], r["UserId__gr.Email"]) for r in rows] == [
        ("Acme", "ann@x.io"), ("Acme", "bob@x.io"), ("Bolt", "ann@x.io")
    ]  # fmt: skip
    assert rows[1]["UserManagerRole1__gr.Email"] == "ann@x.io" and rows[1]["TeamRole"] == "Account Manager"
    paged = [
        r["UserId__gr.Email"] for o in (0, 1, 2) for r in _q(admin, "CompanyTeam", {**body, "limit": 1, "offset": o})
    ]
    assert paged == ["ann@x.io", "bob@x.io", "ann@x.io"]
    of_ann = _where(
        {"name": "UserId", "alias": "U", "operator": "EQ", "value": [ann]},
        {"name": "UserSource", "alias": "S", "operator": "EQ", "value": ["salesforce"]},
        expression="U AND NOT S",
    )
    assert _q(admin, "CompanyTeam", {"select": ["CompanyId__gr.Name"], "where": of_ann}) == [
        {"CompanyId__gr.Name": "Acme"}
    ]


def test_an_unfiltered_query_by_modified_date_reads_only_its_page(admin, data, dynamodb_calls) -> None:
    dynamodb_calls.clear()
    rows = _q(admin, "Person", {"select": ["Email"], "orderBy": {"ModifiedDate": "desc"}, "limit": 2})
    assert rows == [{"Email": "sue@x.io"}, {"Email": "raj@y.io"}] and dynamodb_calls == ["Query"]


@pytest.mark.parametrize("obj", ["Person", "CompanyPerson", "CompanyTeam"])
@pytest.mark.parametrize(
    "body",
    [
        {"select": ["Gsid", "Shoe"]},
        {"select": ["Gsid"], "where": {"conditions": [{"name": "Shoe", "operator": "EQ", "value": ["x"]}]}},
        {"select": ["Gsid"], "orderBy": {"Shoe": "asc"}},  # (Person has a Name, for the People API)
        {"select": ["Nobody__gr.Name"]},
    ],
)
def test_unknown_fields_are_gsobj_1002(admin, obj: str, body: dict[str, Any]) -> None:
    with pytest.raises(ApiError) as error:
        _q(admin, obj, body)
    assert (error.value.status, error.value.code) == (400, "GSOBJ_1002")


def test_bad_dates_are_gsobj_1005(admin) -> None:
    where = _where({"name": "CreatedDate", "operator": "GT", "value": ["soon"]})
    with pytest.raises(ApiError) as error:
        _q(admin, "CompanyTeam", {"select": ["Gsid"], "where": where})
    assert (error.value.status, error.value.code) == (400, "GSOBJ_1005")


@pytest.mark.parametrize("obj", ["Opportunity", "users", "company_persons", "Company Person"])
def test_unknown_objects_are_404(admin, obj: str) -> None:
    with pytest.raises(ApiError) as error:
        _q(admin, obj, {"select": ["Gsid"]})
    assert (error.value.status, error.value.code) == (404, "GS_1404")


def test_the_handler_answers_person_queries(admin, data) -> None:
    key = tenants.create_tenant("Handler")["accessKey"]
    path = "/v1/data/objects/query/Person"
    resource = "/v1/data/objects/query/{object_name}"
    event = api_event("POST", path, key, {"select": ["Email"]}, {"object_name": "Person"}, resource)
    context = LambdaContext(FUNCTION.name, 512, FUNCTION.arn, str(uuid.uuid4()), 10_000)
    response = HANDLER(event, context)
    body = json.loads(response["body"])
    assert response["statusCode"] == 200 and body["result"] is True
    assert body["data"] == {"records": []}  # another tenant: none of the data fixture's persons
