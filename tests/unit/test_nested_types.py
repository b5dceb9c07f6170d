"""Wrong JSON types in nested fields are a 400 naming the field, never a 500: the four a
type fuzz of the write and query endpoints found answering GU_1101."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from cscore.tenants import service as tenants
from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event, team_bulk_job
from tests.unit.conftest import STACK

FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}
RULE = {"name": "r", "user": {"conditions": []}}


def _call(name: str, method: str, path: str, access_key: str, body: Any) -> tuple[int, dict[str, Any]]:
    event = api_event(method, path, access_key, body)
    function = FUNCTIONS[name]
    handler = load_handler(function.code_dir, function.handler, f"unit_types_{name}")
    response = handler(event, LambdaContext(function.name, 512, function.arn, str(uuid.uuid4()), 10_000))
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "field"),
    [
        (
            "users_create",
            "POST",
            "/v1/users/services",
            {
                "records": [{"Name": "Ann", "Email": "ann@example.com", "CompanyID": "Acme"}],
                "lookups": {
                    "CompanyID": {"objectName": "Company", "lookupField": [{}], "fields": {"CompanyID": "Name"}}
                },
            },
            "lookupField",
        ),
        ("teams_search", "POST", "/v1/teams/search", {"type": [{}], "text": "Acme"}, "type"),
        (
            "permissions_put",
            "PUT",
            "/v1/permissions/company",
            {"rules": [{**RULE, "company": {"conditions": -1}}]},
            "rules[0].company",
        ),
        (
            "bulk_jobs_create",
            "POST",
            "/v1.0/admin/connector/job/bulk",
            team_bulk_job(keys=[True, "UserId"]),
            "keys",
        ),
    ],
)
def test_a_wrong_nested_type_is_a_400_naming_the_field(
    aws_tables, name: str, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    tenant = tenants.create_tenant("Types")
    status, answer = _call(name, method, path, tenant["accessKey"], body)
    assert status == 400, answer
    assert answer["errorCode"] != "GU_1101"
    assert field in answer["errorDesc"], answer
