"""Gainsight's metadata API (SPEC §7): the object list, describe by path and by body, the
tenant's own custom fields, names in any case and in both vocabularies, OBJECT_NOT_FOUND."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from cscore.auth import service as auth
from cscore.catalog import OBJECTS
from cscore.meta import service as fields_api
from cscore.meta.models import FieldDefinition
from cscore.tenants import service as tenants
from cscore.users import service as users
from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event
from tests.unit.conftest import STACK

FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}
HANDLERS = {
    name: load_handler(FUNCTIONS[name].code_dir, FUNCTIONS[name].handler, f"unit_{name}")
    for name in ("meta_objects_list", "meta_objects_describe", "meta_objects_describe_many")
}
API_NAMES = {"company", "person", "company_person", "company_team", "gsuser"}


def _call(
    name: str,
    key: str,
    *,
    object_name: str = "",
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    if name == "meta_objects_list":
        event = api_event("GET", "/v1/meta/services/objects/list", key, query=query, headers=headers)
    elif name == "meta_objects_describe":
        path = f"/v1/meta/services/objects/{object_name}/describe"
        resource = "/v1/meta/services/objects/{objectName}/describe"
        params = {"objectName": object_name}
        event = api_event("GET", path, key, None, params, resource, query=query, headers=headers)
    else:
        event = api_event("POST", "/v1/meta/services/objects/describe", key, body, headers=headers)
    function = FUNCTIONS[name]
    context = LambdaContext(function.name, 512, function.arn, str(uuid.uuid4()), 10_000)
    response = HANDLERS[name](event, context)
    return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def tenant(aws_tables, fake_clock) -> dict[str, str]:
    return tenants.create_tenant("Metadata")


def _add_field(tenant: dict[str, str], object_name: str, definition: dict[str, Any]) -> None:
    admin = auth.authenticate({"accesskey": tenant["accessKey"]})
    fields_api.add_field(admin, object_name, FieldDefinition.model_validate(definition))


def _fields(described: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["fieldName"]: f for f in described["fields"]}


def test_list_names_every_object_by_its_api_name_and_ignores_client_parameters(tenant) -> None:
    status, body = _call("meta_objects_list", tenant["accessKey"], query={"po": "true", "em": "false", "x": "1"})
    assert status == 200 and body["result"] is True
    listed = {o["objectName"]: o for o in body["data"]}
    assert set(listed) == API_NAMES
    assert listed["company_person"] == {
        "objectName": "company_person",
        "label": "Company Person",
        "objectType": "STANDARD",
        "keyPrefix": "1P04",
        "readable": True,
        "createable": True,
        "schemaUpdateable": True,
    }
    assert listed["gsuser"]["objectType"] == "SYSTEM" and listed["gsuser"]["keyPrefix"] == "1P01"
    assert {o["keyPrefix"] for o in body["data"]} == {o.shape.gsid_prefix for o in OBJECTS.values()}


def test_describe_derives_every_field_from_the_catalog(tenant) -> None:
    status, body = _call("meta_objects_describe", tenant["accessKey"], object_name="Company")
    assert status == 200 and len(body["data"]) == 1
    company = body["data"][0]
    assert (company["objectName"], company["label"], company["objectType"]) == ("Company", "Company", "STANDARD")
    fields = _fields(company)
    assert list(fields) == [f.name for f in OBJECTS["Company"].fields]
    assert fields["Name"] == {
        "fieldName": "Name",
        "label": "Name",
        "dataType": "STRING",
        "required": True,
        "readOnly": False,
    }
    assert fields["Gsid"] == {
        "fieldName": "Gsid",
        "label": "Gsid",
        "dataType": "GSID",
        "required": False,
        "readOnly": True,
    }
    assert fields["ModifiedDate"]["dataType"] == "DATETIME" and fields["ModifiedDate"]["readOnly"] is True
    assert fields["RenewalDate"]["dataType"] == "DATE" and fields["ARR"]["dataType"] == "NUMBER"
    assert fields["SfdcAccountId"]["label"] == "Sfdc Account Id"
    # lookups name their object in the request's vocabulary
    assert fields["Csm"]["lookupObject"] == "User" and fields["ParentCompany"]["lookupObject"] == "Company"
    assert fields["ModifiedBy"]["lookupObject"] == "User" and fields["ModifiedBy"]["readOnly"] is True


def test_describe_read_only_follows_each_fields_write_rule(tenant) -> None:
    _, body = _call("meta_objects_describe", tenant["accessKey"], object_name="User")
    fields = _fields(body["data"][0])
    assert fields["Email"]["dataType"] == "EMAIL" and fields["LicenseType"]["dataType"] == "PICKLIST"
    assert fields["IsActiveUser"]["dataType"] == "BOOLEAN" and fields["IsActiveUser"]["readOnly"] is False
    assert fields["SfdcUserId"]["readOnly"] is False  # set once: writable while empty
    for protected in ("IsSuperAdmin", "Status", "permissionBundles", "CreatedDate"):
        assert fields[protected]["readOnly"] is True, protected
    _, body = _call("meta_objects_describe", tenant["accessKey"], object_name="CompanyTeam")
    assert _fields(body["data"][0])["UserManagerRole1"]["readOnly"] is True


@pytest.mark.parametrize(
    ("requested", "catalog_name", "user_lookup"),
    [
        ("company_person", "CompanyPerson", "gsuser"),
        ("COMPANY_PERSON", "CompanyPerson", "gsuser"),
        ("companyperson", "CompanyPerson", "User"),
        ("CompanyPerson", "CompanyPerson", "User"),
        ("gsuser", "User", "gsuser"),
        ("GsUser", "User", "gsuser"),
        ("user", "User", "User"),
        ("Company_Team", "CompanyTeam", "gsuser"),
        ("COMPANY", "Company", "gsuser"),
        ("Company", "Company", "User"),
    ],
)
def test_either_name_in_any_case_and_the_answer_uses_the_requested_one(
    tenant, requested: str, catalog_name: str, user_lookup: str
) -> None:
    status, body = _call("meta_objects_describe", tenant["accessKey"], object_name=requested)
    assert status == 200
    described = body["data"][0]
    assert described["objectName"] == requested
    assert [f["fieldName"] for f in described["fields"]] == [f.name for f in OBJECTS[catalog_name].fields]
    assert _fields(described)["CreatedBy"]["lookupObject"] == user_lookup


def test_gainsight_names_look_up_gainsight_names(tenant) -> None:
    _, body = _call("meta_objects_describe", tenant["accessKey"], object_name="company_person")
    fields = _fields(body["data"][0])
    assert (fields["CompanyId"]["lookupObject"], fields["PersonId"]["lookupObject"]) == ("company", "person")
    assert "lookupObject" not in fields["Gsid"]


def test_describe_by_body_answers_each_object_in_order(tenant) -> None:
    names = ["company", "Person", "COMPANY_TEAM", "gsuser"]
    status, body = _call("meta_objects_describe_many", tenant["accessKey"], body={"objectNames": names})
    assert status == 200 and [o["objectName"] for o in body["data"]] == names
    assert [o["objectType"] for o in body["data"]] == ["STANDARD", "STANDARD", "STANDARD", "SYSTEM"]


def test_custom_fields_appear_with_their_types_and_labels(tenant) -> None:
    _add_field(tenant, "Company", {"name": "Region__gc", "type": "picklist", "picklistValues": ["EMEA", "APAC"]})
    _add_field(tenant, "Company", {"name": "Score__gc", "type": "number", "label": "Health score"})
    _add_field(tenant, "Person", {"name": "Vip__gc", "type": "boolean"})
    _, body = _call("meta_objects_describe_many", tenant["accessKey"], body={"objectNames": ["company", "person"]})
    company, person = (_fields(o) for o in body["data"])
    assert company["Region__gc"] == {
        "fieldName": "Region__gc",
        "label": "Region",
        "dataType": "PICKLIST",
        "required": False,
        "readOnly": False,
    }
    assert company["Score__gc"]["label"] == "Health score" and company["Score__gc"]["dataType"] == "NUMBER"
    assert person["Vip__gc"]["dataType"] == "BOOLEAN" and "Vip__gc" not in company
    assert list(company)[-2:] == ["Region__gc", "Score__gc"]  # after the standard fields


def test_another_tenants_custom_fields_never_appear(tenant) -> None:
    other = tenants.create_tenant("Other")
    _add_field(other, "Company", {"name": "Secret__gc", "type": "string"})
    _, mine = _call("meta_objects_describe", tenant["accessKey"], object_name="company")
    _, theirs = _call("meta_objects_describe", other["accessKey"], object_name="company")
    assert "Secret__gc" in _fields(theirs["data"][0])
    assert "Secret__gc" not in _fields(mine["data"][0])


@pytest.mark.parametrize("name", ["Opportunity", "company__gc", "users", "company person", "PK"])
def test_an_unknown_object_is_404_object_not_found(tenant, name: str) -> None:
    status, body = _call("meta_objects_describe", tenant["accessKey"], object_name=name)
    assert status == 404 and body["result"] is False
    assert (body["errorCode"], body["errorDesc"]) == ("OBJECT_NOT_FOUND", "Requested object not found.")
    status, body = _call("meta_objects_describe_many", tenant["accessKey"], body={"objectNames": ["company", name]})
    assert (status, body["errorCode"]) == (404, "OBJECT_NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "objectNames"),
        ({"objectNames": []}, "objectNames"),
        ({"objectNames": "company"}, "objectNames"),
        ({"objectNames": [" "]}, "objectNames[0]"),
        ({"objectNames": ["company"], "extra": 1}, "extra"),
    ],
)
def test_a_bad_describe_body_is_400_naming_the_field(tenant, body: Any, fragment: str) -> None:
    status, answer = _call("meta_objects_describe_many", tenant["accessKey"], body=body)
    assert (status, answer["errorCode"]) == (400, "GS_1400") and fragment in answer["errorDesc"]


def test_any_user_of_the_tenant_may_read_metadata_and_no_key_none(tenant) -> None:
    admin = auth.authenticate({"accesskey": tenant["accessKey"]})
    created = users.create_users(admin, {"records": [{"Name": "Ann", "Email": "ann@x.io", "SFDCUserName": "ann@x.io"}]})
    key = tenants.create_user_key(tenant["tenantId"], created["records"][0]["Gsid"])
    assert _call("meta_objects_list", key)[0] == 200
    assert _call("meta_objects_describe", key, object_name="person")[0] == 200
    assert _call("meta_objects_describe_many", key, body={"objectNames": ["person"]})[0] == 200
    status, body = _call("meta_objects_list", "not-a-key")
    assert (status, body["errorCode"]) == (401, "GS_APIG_2401")


def test_object_not_found_in_japanese(tenant) -> None:
    headers = {"Accept-Language": "ja"}
    status, body = _call("meta_objects_describe", tenant["accessKey"], object_name="Opportunity", headers=headers)
    assert (status, body["errorCode"], body["errorDesc"]) == (404, "OBJECT_NOT_FOUND", "Requested object not found.")
    assert body["localizedMessage"] == "要求されたオブジェクトが見つかりません。"
    assert "要求されたオブジェクトが見つかりません" in body["localizedErrorDesc"]
