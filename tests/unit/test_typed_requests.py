"""Typed requests through the handlers: bodies that are not objects, JSON sent as a
``+json`` type, typed query values, and problems named by field."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from cscore.connector.models import UpdateJob
from cscore.platform import request_model
from cscore.tenants import service as tenants
from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event
from tests.unit.conftest import STACK

FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}


def _call(name: str, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    function = FUNCTIONS[name]
    handler = load_handler(function.code_dir, function.handler, f"unit_typed_{name}")
    response = handler(event, LambdaContext(function.name, 512, function.arn, str(uuid.uuid4()), 10_000))
    return response["statusCode"], json.loads(response["body"])


def test_a_json_array_body_reaches_its_route(aws_tables) -> None:
    tenant = tenants.create_tenant("Typed")
    gsid = tenant["superAdminGsid"]
    event = api_event("PUT", "/v1/users/services/status", tenant["accessKey"], [gsid], query={"status": "true"})
    status, answer = _call("users_status", event)
    assert status == 200, answer
    assert answer["data"] == {"status": "COMPLETED", "invalidUserIds": []}


def test_a_plus_json_body_is_read_as_json(aws_tables) -> None:
    tenant = tenants.create_tenant("Typed")
    plus_json = {"Content-Type": "application/vnd.api+json"}
    event = api_event("POST", "/v1/teams/roles", tenant["accessKey"], {"label": "Renewals"}, headers=plus_json)
    status, answer = _call("teams_roles_create", event)
    assert status == 200, answer
    assert answer["data"]["role"]["label"] == "Renewals"


def test_typed_query_values_are_400_naming_the_parameter(aws_tables) -> None:
    tenant = tenants.create_tenant("Typed")
    event = api_event("PUT", "/v1/users/services/status", tenant["accessKey"], ["x"], query={"status": "maybe"})
    status, answer = _call("users_status", event)
    assert (status, answer["errorCode"]) == (400, "GS_1400") and answer["errorDesc"].startswith("status:"), answer


def test_a_job_edit_may_clear_only_its_schedule_and_filter() -> None:
    cleared = UpdateJob.model_validate({"schedule": None, "filter": None})
    assert cleared.model_fields_set == {"schedule", "filter"}
    for name in ("name", "enabled", "mappings", "keyFields"):
        with pytest.raises(ValidationError) as refused:
            UpdateJob.model_validate({name: None})
        assert request_model.describe(refused.value.errors()).startswith(f"{name}: ")


COMPANY = "1P02" + "0" * 32
USER = "1P01" + "0" * 32


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "field"),
    [
        (
            "teams_members_assign",
            "POST",
            f"/v1/teams/companies/{COMPANY}/members",
            {"records": [{"UserId": [USER]}]},
            "records[0].UserId",
        ),
        (
            "teams_companies_assign",
            "POST",
            f"/v1/teams/users/{USER}/companies",
            {"records": [{"CompanyId": COMPANY, "TeamRole": {}}]},
            "records[0].TeamRole",
        ),
        (
            "teams_records_update",
            "PUT",
            "/v1/teams/records",
            {"records": [{"CompanyId": 1, "UserId": USER}]},
            "records[0].CompanyId",
        ),
        (
            "teams_records_delete",
            "POST",
            "/v1/teams/records/delete",
            {"records": [{"CompanyId": COMPANY, "UserId": True}]},
            "records[0].UserId",
        ),
        (
            "teams_records_delete",
            "POST",
            "/v1/teams/records/delete",
            {"records": [{"CompanyId": COMPANY, "UserId": USER, "Note__gc": "x"}]},
            "records[0].Note__gc: unknown field",
        ),
        (
            "teams_records_list",
            "POST",
            "/v1/teams/records/list",
            {"select": ["Gsid"], "where": {"conditions": [{"name": "CompanyId", "operator": ["EQ"]}]}},
            "where.conditions[0].operator",
        ),
        ("users_list", "POST", "/v1/users/services/list", {"select": ["Name"], "orderBy": {"Name": 1}}, "orderBy.Name"),
        ("users_list", "POST", "/v1/users/services/list", {"select": ["Name"], "limit": 1001}, "limit"),
        (
            "objects_query",
            "POST",
            "/v1/data/objects/query/Company",
            {"select": ["Name"], "where": {"conditions": "Name"}},
            "where.conditions",
        ),
        ("objects_query", "POST", "/v1/data/objects/query/Company", {"select": [], "limit": 10}, "select"),
        (
            "connections_create",
            "POST",
            "/v1/connectors/salesforce/connections",
            {"name": " \t", "orgType": "production"},
            "name",
        ),
        (
            "connections_create",
            "POST",
            "/v1/connectors/salesforce/connections",
            {"name": "Acme", "orgType": 1},
            "orgType",
        ),
        ("teams_search", "POST", "/v1/teams/search", {"type": "user", "text": "Ann", "fields": [""]}, "fields[0]"),
        (
            "teams_records_update",
            "PUT",
            "/v1/teams/records",
            {"records": [{"CompanyId": COMPANY, "UserId": USER}]},
            "records[0]: no custom field to update",
        ),
        ("jobs_update", "PUT", f"/v1/connectors/jobs/{COMPANY}", {}, "body: give any of name"),
        (
            "connections_company_resolution",
            "PUT",
            f"/v1/connectors/salesforce/connections/{COMPANY}/company-resolution",
            {"sourceField": "Id; DROP", "targetField": "Name"},
            "sourceField",
        ),
        (
            "permissions_put",
            "PUT",
            "/v1/permissions/company",
            {"rules": [{"name": "r", "user": {"expression": " "}, "company": {}}]},
            "rules[0].user.expression",
        ),
        (
            "meta_fields_create",
            "POST",
            "/v1/meta/objects/Company/fields",
            {"name": "Tier__gc", "type": "picklist", "picklistValues": [1]},
            "picklistValues[0]",
        ),
        (
            "meta_fields_create",
            "POST",
            "/v1/meta/objects/Company/fields",
            {"name": "Tier__gc", "type": "number", "label": None, "picklistValues": ["A"]},
            "picklistValues",
        ),
    ],
)
def test_a_wrong_nested_type_is_a_400_naming_the_field(
    aws_tables, name: str, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    tenant = tenants.create_tenant("Typed")
    status, answer = _call(name, api_event(method, path, tenant["accessKey"], body))
    assert (status, answer["errorCode"]) == (400, "GS_1400"), answer
    assert answer["errorDesc"].startswith(field), answer


def test_a_team_query_keeps_its_role_labels_and_scope_through_the_model(aws_tables) -> None:
    tenant = tenants.create_tenant("Typed")
    body = {
        "select": ["Gsid"],
        "where": {"conditions": [{"name": "TeamRole", "operator": "in", "value": ["Account Manager"]}]},
    }
    status, answer = _call("teams_records_list", api_event("POST", "/v1/teams/records/list", tenant["accessKey"], body))
    assert status == 200, answer
    assert answer["data"] == {"records": []}


@pytest.mark.parametrize("query", [{"companyId": ""}, {"companyId": COMPANY, "userId": ""}, {}])
def test_the_access_check_needs_a_company_and_a_named_user(aws_tables, query: dict[str, str]) -> None:
    tenant = tenants.create_tenant("Typed")
    event = api_event("GET", "/v1/permissions/company/access", tenant["accessKey"], query=query)
    status, answer = _call("permissions_access", event)
    assert (status, answer["errorCode"]) == (400, "GS_1400"), answer
    assert answer["errorDesc"].startswith("userId" if "userId" in query else "companyId"), answer


@pytest.mark.parametrize(
    ("paging", "refused"),
    [
        ({"limit": 2.0, "page": 0.0}, None),
        ({"limit": 2.5}, "limit"),
        ({"page": True}, "page"),
        ({"offset": "1"}, "offset"),
    ],
)
def test_a_paging_number_is_a_json_integer_whatever_its_spelling(
    aws_tables, paging: dict[str, Any], refused: str | None
) -> None:
    # JSON has one number type: 2.0 is the integer 2 (as JSON Schema says); a fraction,
    # a boolean or a string is not
    tenant = tenants.create_tenant("Typed")
    body = {"select": ["Name"], **paging}
    status, answer = _call(
        "objects_query", api_event("POST", "/v1/data/objects/query/Company", tenant["accessKey"], body)
    )
    if refused is None:
        assert status == 200, answer
        assert answer["data"]["records"] == []
    else:
        assert (status, answer["errorCode"]) == (400, "GS_1400"), answer
        assert answer["errorDesc"] == f"{refused}: must be an integer", answer
