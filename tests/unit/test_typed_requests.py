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
