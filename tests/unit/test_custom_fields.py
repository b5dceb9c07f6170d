"""Custom fields (SPEC §4b): definitions on the tenant item, the meta endpoints, and the
users API, the Company API and object queries accepting them — against in-process moto."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.companies import service as companies
from cscore.errors import ApiError, BadRequest, Conflict, NotFound
from cscore.meta import fields as meta
from cscore.meta import service
from cscore.meta.models import FieldDefinition
from cscore.objects import query as objects
from cscore.platform import aws, config, keys, table
from cscore.query import to_epoch_millis
from cscore.tenants import service as tenants
from cscore.users import listing
from cscore.users import service as users
from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event
from tests.unit.conftest import STACK

FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}
HANDLERS = {
    name: load_handler(FUNCTIONS[name].code_dir, FUNCTIONS[name].handler, f"unit_{name}")
    for name in ("meta_fields_create", "meta_fields_list")
}


def _call(name: str, access_key: str, object_name: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    method = "POST" if name == "meta_fields_create" else "GET"
    path = f"/v1/meta/objects/{object_name}/fields"
    event = api_event(method, path, access_key, body, {"Object": object_name}, "/v1/meta/objects/{Object}/fields")
    function = FUNCTIONS[name]
    context = LambdaContext(function.name, 512, function.arn, str(uuid.uuid4()), 10_000)
    response = HANDLERS[name](event, context)
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def tenant(aws_tables, fake_clock) -> dict[str, str]:
    return tenants.create_tenant("Custom fields")


def _admin(tenant: dict[str, str]) -> Principal:
    """Authenticated afresh, so the principal's tenant item holds the latest definitions."""
    return auth.authenticate({"accesskey": tenant["accessKey"]})


def _defined(body: dict[str, Any]) -> FieldDefinition:
    return FieldDefinition.model_validate(body)


def _failure(call: Any) -> ApiError:
    with pytest.raises(ApiError) as error:
        call()
    return error.value


@pytest.fixture
def regions(tenant) -> Principal:
    """Region__gc (picklist) on User and Company, Score__gc, Renewal__gc, Vip__gc on Company."""
    admin = _admin(tenant)
    picklist = {"type": "picklist", "picklistValues": ["EMEA", "AMER", "APAC"]}
    service.add_field(admin, "User", _defined({"name": "Region__gc", **picklist}))
    service.add_field(admin, "Company", _defined({"name": "Region__gc", **picklist, "label": "Sales region"}))
    service.add_field(admin, "Company", _defined({"name": "Score__gc", "type": "number"}))
    service.add_field(admin, "Company", _defined({"name": "Renewal__gc", "type": "date"}))
    service.add_field(admin, "Company", _defined({"name": "Vip__gc", "type": "BOOLEAN"}))
    service.add_field(admin, "Company", _defined({"name": "Segment__gc", "type": "string"}))
    return _admin(tenant)


def test_bootstrap_gives_every_object_an_empty_map(tenant) -> None:
    item = table.read_one(keys.tenant(tenant["tenantId"])) or {}
    assert item["customFields"] == {obj: {} for obj in meta.OBJECTS}
    assert meta.custom_fields(item, "User") == {}


def test_definitions_live_on_the_tenant_item(regions, tenant) -> None:
    item = table.read_one(keys.tenant(tenant["tenantId"])) or {}
    assert meta.custom_fields(item, "Company") == {
        "Region__gc": "picklist",
        "Renewal__gc": "date",
        "Score__gc": "number",
        "Segment__gc": "string",
        "Vip__gc": "boolean",
    }
    region = item["customFields"]["Company"]["Region__gc"]
    assert region["label"] == "Sales region" and region["picklistValues"] == ["EMEA", "AMER", "APAC"]
    assert region["createdBy"] == tenant["superAdminGsid"] and region["createdDate"].endswith("Z")
    # Items of same-named fields are shared, so a rule comparing User and Company values works.
    user_items = item["picklists"]["User.Region__gc"]
    assert user_items == item["picklists"]["Company.Region__gc"]
    assert {v["label"] for v in user_items.values()} == {"EMEA", "AMER", "APAC"}


def test_add_answers_the_field_and_list_shows_standard_and_custom(regions) -> None:
    data = service.list_fields(regions, "Company")
    by_name = {f["name"]: f for f in data["fields"]}
    assert by_name["Name"] == {"name": "Name", "type": "string", "custom": False}
    assert by_name["ARR"]["type"] == "number" and by_name["Csm"]["type"] == "gsid"
    region = by_name["Region__gc"]
    assert region["custom"] is True and region["type"] == "picklist" and region["label"] == "Sales region"
    assert [v["label"] for v in region["picklistValues"]] == ["EMEA", "AMER", "APAC"]
    assert all(v["gsid"].startswith("1I00") for v in region["picklistValues"])
    assert by_name["Vip__gc"]["type"] == "boolean" and by_name["Segment__gc"]["label"] == "Segment"
    assert [f["name"] for f in data["fields"] if f["custom"]] == sorted(
        ["Region__gc", "Renewal__gc", "Score__gc", "Segment__gc", "Vip__gc"]
    )


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"name": "Region", "type": "string"}, "name:"),
        ({"name": "9Region__gc", "type": "string"}, "name:"),
        ({"name": "Re-gion__gc", "type": "string"}, "name:"),
        ({"name": "A" * 62 + "__gc", "type": "string"}, "name:"),
        ({"name": "Name__gc", "type": "string"}, "clashes with the standard field Name"),
        ({"name": "Csm__gc", "type": "string"}, "clashes with the standard field Csm"),
        ({"name": "Tier__gc", "type": "text"}, "type:"),
        ({"name": "Tier__gc"}, "type:"),
        ({"name": "Tier__gc", "type": "picklist"}, "picklistValues:"),
        ({"name": "Tier__gc", "type": "picklist", "picklistValues": ["A", "a"]}, "picklistValues[1]"),
        ({"name": "Tier__gc", "type": "string", "picklistValues": ["A"]}, "picklistValues:"),
        ({"name": "Tier__gc", "type": "string", "color": "red"}, "color: unknown field"),
        ([], "body:"),
    ],
)
def test_bad_definitions_are_400_naming_the_problem(tenant, body: Any, fragment: str) -> None:
    status, answer = _call("meta_fields_create", tenant["accessKey"], "Company", body)
    assert (status, answer["errorCode"]) == (400, "GS_1400") and fragment in answer["errorDesc"], answer


def test_duplicates_are_409_and_unknown_objects_404(regions) -> None:
    error = _failure(lambda: service.add_field(regions, "Company", _defined({"name": "Score__gc", "type": "string"})))
    assert isinstance(error, Conflict) and error.code == "GS_1409"
    # A stale tenant item (a concurrent add): the conditional write still refuses it.
    stale = Principal(regions.tenant_id, "x", regions.user_gsid, True, "ACCESS_KEY", "k", tenant={})
    error = _failure(lambda: service.add_field(stale, "Company", _defined({"name": "Score__gc", "type": "string"})))
    assert isinstance(error, Conflict)
    error = _failure(lambda: service.add_field(regions, "Company", _defined({"name": "score__gc", "type": "string"})))
    assert isinstance(error, BadRequest) and "differs only in case from the custom field Score__gc" in error.desc
    for call in (
        lambda: service.add_field(regions, "Account", _defined({"name": "X__gc", "type": "string"})),
        lambda: service.list_fields(regions, "company"),
    ):
        error = _failure(call)
        assert isinstance(error, NotFound) and error.code == "GS_1404"


def test_at_most_100_per_object(tenant) -> None:
    admin = _admin(tenant)
    for i in range(meta.MAX_FIELDS):
        service.add_field(admin, "Person", _defined({"name": f"F{i}__gc", "type": "string"}))
    error = _failure(
        lambda: service.add_field(_admin(tenant), "Person", _defined({"name": "One_more__gc", "type": "string"}))
    )
    assert isinstance(error, BadRequest) and "at most 100" in error.desc
    # Even when the caller's view is stale, the condition on the map's size holds.
    stale = Principal(admin.tenant_id, "x", admin.user_gsid, True, "ACCESS_KEY", "k", tenant={})
    error = _failure(lambda: service.add_field(stale, "Person", _defined({"name": "One_more__gc", "type": "string"})))
    assert isinstance(error, BadRequest) and "at most 100" in error.desc


def test_a_tenant_from_before_custom_fields_gets_its_maps(tenant) -> None:
    aws.dynamodb().update_item(
        TableName=config.tenant_table(), Key=keys.tenant(tenant["tenantId"]), UpdateExpression="REMOVE customFields"
    )
    field = service.add_field(_admin(tenant), "CompanyTeam", _defined({"name": "Note__gc", "type": "string"}))
    assert field["name"] == "Note__gc" and field["object"] == "CompanyTeam"
    item = table.read_one(keys.tenant(tenant["tenantId"])) or {}
    assert set(item["customFields"]) == set(meta.OBJECTS)
    assert meta.custom_fields(item, "CompanyTeam") == {"Note__gc": "string"}


# ------------------------------------------------------------------ the endpoints


def test_endpoints_through_the_handlers(tenant) -> None:
    key = tenant["accessKey"]
    status, body = _call("meta_fields_create", key, "User", {"name": "Region__gc", "type": "string"})
    assert status == 200 and body["result"] is True and body["data"]["name"] == "Region__gc"
    status, body = _call("meta_fields_list", key, "User")
    assert status == 200 and {"name": "Region__gc"}.items() <= body["data"]["fields"][-1].items()
    status, body = _call("meta_fields_create", key, "User", {"name": "Region__gc", "type": "string"})
    assert (status, body["errorCode"]) == (409, "GS_1409")
    status, body = _call("meta_fields_create", key, "User", {"name": "Region", "type": "string"})
    assert (status, body["errorCode"]) == (400, "GS_1400") and "name" in body["errorDesc"]
    status, body = _call("meta_fields_list", key, "Opportunity")
    assert (status, body["errorCode"]) == (404, "GS_1404")


def test_non_admins_are_403(tenant) -> None:
    data = users.create_users(
        _admin(tenant), {"records": [{"Name": "Ann", "Email": "ann@x.io", "SFDCUserName": "ann@x.io"}]}
    )
    other = tenants.create_user_key(tenant["tenantId"], data["records"][0]["Gsid"])
    for name, body in (("meta_fields_list", None), ("meta_fields_create", {"name": "X__gc", "type": "string"})):
        status, answer = _call(name, other, "User", body)
        assert (status, answer["errorCode"]) == (403, "GS_1403")


# ------------------------------------------------------------------ users API


def _create(admin: Principal, *records: dict[str, Any]) -> dict[str, Any]:
    return users.create_users(admin, {"records": list(records)})


def _user(name: str, **extra: Any) -> dict[str, Any]:
    return {"Name": name, "Email": f"{name.lower()}@x.io", "SFDCUserName": f"{name.lower()}@x.io", **extra}


def test_users_api_writes_and_lists_custom_fields(regions) -> None:
    data = _create(regions, _user("Ann", Region__gc="emea"), _user("Bob", Region__gc="AMER"), _user("Cid"))
    ann, bob, cid = data["records"]
    emea = meta.item_gsid("Region__gc", "EMEA")
    assert ann["Region__gc"] == emea and "Region__gc" not in cid  # create shows GSIDs, as for picklists

    updated = users.update_users(regions, {"records": [{"Gsid": cid["Gsid"], "Region__gc": "APAC"}]}, "Gsid")
    assert updated["records"][0]["Region__gc"] == "APAC"  # update shows labels

    body = {
        "select": ["Name", "Region__gc"],
        "where": {"conditions": [{"name": "Region__gc", "operator": "IN", "value": ["EMEA", "APAC"]}]},
        "orderBy": {"Name": "desc"},
    }
    rows = listing.list_users(regions, body)["users"]
    assert [(r["Name"], r["Region__gc"]) for r in rows] == [("Cid", "APAC"), ("Ann", "EMEA")]
    body = {"select": ["Name"], "where": {"conditions": [{"name": "Region__gc", "operator": "IS_NOT_NULL"}]}}
    body["orderBy"] = {"Region__gc": "asc", "Name": "asc"}
    assert {r["Name"] for r in listing.list_users(regions, body)["users"]} == {"Ann", "Bob", "Cid"}
    rows = listing.list_users(regions, {"select": ["Region__gc"], "orderBy": {"Name": "asc"}})["users"]
    assert [r["Region__gc"] for r in rows if r["Gsid"] in (ann["Gsid"], bob["Gsid"])] == ["EMEA", "AMER"]


@pytest.mark.parametrize(
    "extra, code, fragment",
    [
        ({"Region__gc": "Mars"}, "GSOBJ_1002", "Region__gc: 'Mars' is not one of"),
        ({"Region__gc": 3}, "GSOBJ_1002", "Region__gc:"),
        ({"Tier__gc": "Gold"}, "GSOBJ_1002", "Tier__gc: no custom field of User"),
        ({"Tier": "Gold"}, "GS_1400", "Tier: unknown field of User"),
    ],
)
def test_users_api_rejects_bad_custom_values(regions, extra: dict[str, Any], code: str, fragment: str) -> None:
    """The Company data API's codes for custom fields (meta.fields.PROBLEM_CODES), on
    create and update; any other unknown field stays GS_1400 (SPEC §2.1)."""
    error = _failure(lambda: _create(regions, _user("Ann", **extra)))
    assert error.code == "GU_2401"
    (entry,) = error.data["errors"]
    assert (entry["errorCode"], entry["record"]) == (code, _user("Ann", **extra))
    assert fragment in entry["errorMessage"]
    ann = _create(regions, _user("Ann"))["records"][0]
    error = _failure(lambda: users.update_users(regions, {"records": [{"Gsid": ann["Gsid"], **extra}]}, "Gsid"))
    assert error.code == "GU_2402"
    (entry,) = error.data["errors"]
    assert entry["errorCode"] == code and fragment in entry["errorMessage"]


def test_user_custom_values_by_type(tenant) -> None:
    admin = _admin(tenant)
    for name, kind in (("Text__gc", "string"), ("Num__gc", "number"), ("Flag__gc", "boolean"), ("Day__gc", "date")):
        service.add_field(admin, "User", _defined({"name": name, "type": kind}))
    admin = _admin(tenant)
    good = _create(admin, _user("Ann", Text__gc=" hi ", Num__gc="2.5", Flag__gc=True, Day__gc="2027-02-28"))
    shown = good["records"][0]
    assert (shown["Text__gc"], shown["Num__gc"], shown["Flag__gc"], shown["Day__gc"]) == ("hi", 2.5, True, "2027-02-28")
    for bad, code in (
        ({"Text__gc": "x" * 256}, "GSOBJ_1001"),
        ({"Text__gc": 1}, "GSOBJ_1002"),
        ({"Num__gc": "many"}, "GSOBJ_1002"),
        ({"Num__gc": True}, "GSOBJ_1002"),
        ({"Flag__gc": "yes"}, "GSOBJ_1002"),
        ({"Day__gc": "2027-02-30"}, "GSOBJ_1005"),
        ({"Day__gc": "28/02/2027"}, "GSOBJ_1005"),
        ({"Day__gc": 1_800_000_000_000}, "GSOBJ_1005"),
    ):
        error = _failure(lambda bad=bad: _create(admin, _user("Bob", **bad)))
        (entry,) = error.data["errors"]
        assert next(iter(bad)) in entry["errorMessage"] and entry["errorCode"] == code, (bad, entry)


# ------------------------------------------------------------------ Company API and queries


def test_company_api_writes_custom_fields_and_queries_find_them(regions) -> None:
    records = [
        {"Name": "Acme", "Region__gc": "EMEA", "Score__gc": 7, "Renewal__gc": "2027-06-30", "Vip__gc": True},
        {"Name": "Globex", "Region__gc": "amer", "Score__gc": "3", "Segment__gc": " SMB "},
        {"Name": "Initech"},
    ]
    data = companies.insert_companies(regions, records)
    acme, globex, _ = data["records"]
    assert acme["Region__gc"] == meta.item_gsid("Region__gc", "EMEA") and acme["Renewal__gc"] == to_epoch_millis(
        "2027-06-30"
    )
    assert globex["Score__gc"] == 3 and globex["Segment__gc"] == "SMB"

    data = companies.update_companies(regions, [{"Name": "Initech", "Region__gc": "EMEA"}], "Name")
    assert data["records"][0]["Region__gc"] == acme["Region__gc"]
    data = companies.update_companies(regions, [{"Name": "Globex", "Segment__gc": None}], "Name")
    assert "Segment__gc" not in data["records"][0]

    def query(body: dict[str, Any]) -> list[dict[str, Any]]:
        return objects.query_objects(regions, "Company", body)["records"]

    rows = query(
        {
            "select": ["Name", "Region__gc", "Renewal__gc", "Score__gc"],
            "where": {"conditions": [{"name": "Region__gc", "operator": "EQ", "value": ["EMEA"]}]},
            "orderBy": {"Score__gc": "desc", "Name": "asc"},
        }
    )
    assert [r["Name"] for r in rows] == ["Initech", "Acme"]  # null sorts first for desc
    assert rows[1]["Region__gc"] == "EMEA" and rows[1]["Renewal__gc"] == 1_814_313_600_000  # epoch ms
    rows = query({"select": ["Name"], "where": {"conditions": [{"name": "Score__gc", "operator": "GT", "value": [5]}]}})
    assert [r["Name"] for r in rows] == ["Acme"]
    rows = query(
        {"select": ["Name"], "where": {"conditions": [{"name": "Vip__gc", "operator": "EQ", "value": [True]}]}}
    )
    assert [r["Name"] for r in rows] == ["Acme"]
    # A custom field at the end of a lookup path.
    users.update_users(regions, {"records": [{"Gsid": regions.user_gsid, "Region__gc": "APAC"}]}, "Gsid")
    companies.update_companies(regions, [{"Name": "Acme", "Csm": regions.user_gsid}], "Name")
    rows = query({"select": ["Name", "Csm__gr.Region__gc"], "orderBy": {"Name": "asc"}})
    assert rows[0] == {"Name": "Acme", "Csm__gr.Region__gc": "APAC"}
    error = _failure(lambda: query({"select": ["Tier__gc"]}))
    assert error.code == "GSOBJ_1002"


@pytest.mark.parametrize(
    "record, code, fragment",
    [
        ({"Score__gc": "lots"}, "GSOBJ_1002", "Score__gc"),
        ({"Region__gc": "Mars"}, "GSOBJ_1002", "Region__gc"),
        ({"Vip__gc": "yes"}, "GSOBJ_1002", "Vip__gc"),
        ({"Segment__gc": "x" * 256}, "GSOBJ_1001", "Segment__gc"),
        ({"Renewal__gc": "soon"}, "GSOBJ_1005", "Renewal__gc"),
        ({"Tier__gc": "Gold"}, "GSOBJ_1002", "Tier__gc: unknown field of Company"),
    ],
)
def test_company_api_rejects_bad_custom_values(regions, record: dict[str, Any], code: str, fragment: str) -> None:
    error = _failure(lambda: companies.insert_companies(regions, [{"Name": "Acme", **record}]))
    assert error.code == code and fragment in error.desc


def test_other_objects_query_their_custom_fields(tenant) -> None:
    admin = _admin(tenant)
    service.add_field(admin, "Person", _defined({"name": "Nickname__gc", "type": "string"}))
    body = {
        "select": ["Email", "Nickname__gc"],
        "where": {"conditions": [{"name": "Nickname__gc", "operator": "IS_NULL"}]},
    }
    assert objects.query_objects(_admin(tenant), "Person", body) == {"records": []}
    error = _failure(lambda: objects.query_objects(admin, "Person", body))  # before: unknown
    assert error.code == "GSOBJ_1002"
