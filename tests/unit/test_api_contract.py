"""The response envelope, error mapping and middleware order every API function shares
(SPEC §1.2), exercised through the same ``lambda_entry`` the handlers use."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, Field

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.errors import Conflict, InternalError
from cscore.platform import clock, ids
from cscore.tenants import service as tenants
from cscore.users import repository as users
from cscore.users.outbox import FollowUp
from cslocal.worker import LambdaContext
from tests.support import api_event


class Item(BaseModel):
    Email: str
    count: int = Field(ge=0)


class Body(BaseModel):
    records: list[Item]


strict = build_resolver(family="standard", access="super_admin")


@strict.post("/things")
def post_things(body: Body) -> dict[str, Any]:
    return {"count": len(body.records)}


@strict.get("/boom")
def boom() -> dict[str, Any]:
    raise RuntimeError("secret internals /var/task/app.py line 3")


@strict.get("/internal")
def internal() -> dict[str, Any]:
    raise InternalError("the secret store holds no clientSecret")


@strict.get("/conflict")
def conflict() -> dict[str, Any]:
    raise Conflict("already running")


HANDLER = lambda_entry(strict)


def _call(
    method: str, path: str, headers: dict[str, str] | None = None, body: str | None = None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    event = api_event(method, path, headers=headers, raw_body=body)
    context = LambdaContext("test", 128, "arn:aws:lambda:us-east-1:123456789012:function:test", "req", 10_000)
    response = HANDLER(event, context)
    headers_out = {k: v[-1] for k, v in response["multiValueHeaders"].items()}
    return response["statusCode"], headers_out, json.loads(response["body"])


@pytest.fixture
def tenant(aws_tables) -> dict[str, str]:
    return tenants.create_tenant("Contract")


def _assert_envelope(status: int, headers: dict[str, str], body: dict[str, Any], code: str | None) -> None:
    assert set(body) >= {
        "result",
        "errorCode",
        "errorDesc",
        "localizedErrorDesc",
        "requestId",
        "data",
        "message",
        "localizedMessage",
    }
    assert body["requestId"] == headers["X-Request-Id"]
    assert body["result"] is (code is None)
    assert body["errorCode"] == code


def test_success_is_wrapped_in_the_envelope(tenant) -> None:
    status, headers, body = _call(
        "POST", "/things", {"accesskey": tenant["accessKey"]}, '{"records": [{"Email": "a@b.c", "count": 1}]}'
    )
    assert status == 200
    _assert_envelope(status, headers, body, None)
    assert body["data"] == {"count": 1}
    assert headers["X-RateLimit-Limit"] == "100"


def test_validation_errors_are_400_naming_the_field(tenant) -> None:
    status, headers, body = _call("POST", "/things", {"accesskey": tenant["accessKey"]}, '{"records": [{"count": -1}]}')
    assert status == 400
    _assert_envelope(status, headers, body, "GS_1400")
    assert "records[0].Email" in body["errorDesc"] and "records[0].count" in body["errorDesc"]
    assert "X-RateLimit-Remaining" in headers  # an admitted request, counted


def test_malformed_json_is_400(tenant) -> None:
    status, headers, body = _call(
        "POST", "/things", {"accesskey": tenant["accessKey"], "Content-Type": "application/json"}, '{"records": ['
    )
    assert status == 400
    _assert_envelope(status, headers, body, "GS_1400")
    assert "malformed JSON" in body["errorDesc"]


def test_authentication_comes_before_validation(tenant) -> None:
    status, headers, body = _call("POST", "/things", {}, "{not json")
    assert status == 401
    _assert_envelope(status, headers, body, "GS_APIG_2401")
    assert "X-RateLimit-Limit" not in headers  # nothing counted for an unknown caller


def test_unexpected_errors_are_500_without_internals(tenant) -> None:
    status, headers, body = _call("GET", "/boom", {"accesskey": tenant["accessKey"]})
    assert status == 500
    _assert_envelope(status, headers, body, "GU_1101")
    assert body["errorDesc"] == "Oops! Something went wrong."
    assert "secret" not in json.dumps(body) and "Traceback" not in json.dumps(body)


def _unhandled_errors_counted(stdout: str) -> float:
    """The UnhandledErrors metric (the GU_1101 alarm's) in the EMF lines the handler printed."""
    total = 0.0
    for line in stdout.splitlines():
        if line.startswith("{") and "_aws" in line:
            value = json.loads(line).get("UnhandledErrors", 0)
            total += sum(value) if isinstance(value, list) else float(value)
    return total


@pytest.mark.parametrize("path", ["/boom", "/internal"])
def test_unexpected_and_internal_errors_count_for_the_alarm_and_hide_their_message(
    tenant, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    capsys.readouterr()
    status, headers, body = _call("GET", path, {"accesskey": tenant["accessKey"]})
    assert status == 500
    _assert_envelope(status, headers, body, "GU_1101")
    assert body["errorDesc"] == "Oops! Something went wrong." and "secret" not in json.dumps(body)
    assert _unhandled_errors_counted(capsys.readouterr().out) == 1


def test_client_errors_are_not_counted_as_unhandled(tenant, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert _call("GET", "/conflict", {"accesskey": tenant["accessKey"]})[0] == 409
    assert _call("GET", "/conflict", {})[0] == 401
    assert _unhandled_errors_counted(capsys.readouterr().out) == 0


def test_domain_errors_keep_their_status_and_code(tenant) -> None:
    status, headers, body = _call("GET", "/conflict", {"accesskey": tenant["accessKey"]})
    assert status == 409
    _assert_envelope(status, headers, body, "GS_1409")
    assert body["errorDesc"] == "already running"


def test_unknown_routes_are_404(tenant) -> None:
    status, headers, body = _call("GET", "/nowhere", {"accesskey": tenant["accessKey"]})
    assert status == 404
    _assert_envelope(status, headers, body, "GS_1404")


def test_non_super_admins_are_403_on_super_admin_endpoints(tenant) -> None:
    gsid = ids.new_gsid(ids.USER)
    now = "2026-01-01T00:00:00.000Z"
    user = {
        "Gsid": gsid,
        "Name": "Pat",
        "Email": "pat@x.io",
        "SFDCUserName": "pat@x.io",
        "IsSuperAdmin": False,
        "ModifiedDate": now,
    }
    users.insert(tenant["tenantId"], [user], FollowUp("add"), now)
    key = tenants.create_user_key(tenant["tenantId"], gsid)
    status, headers, body = _call("POST", "/things", {"accesskey": key}, '{"records": []}')
    assert status == 403
    _assert_envelope(status, headers, body, "GS_1403")


def test_429_carries_retry_after_and_the_envelope(tenant) -> None:
    tenants.set_limit(tenant["tenantId"], "standard", "day", 1)
    assert _call("GET", "/conflict", {"accesskey": tenant["accessKey"]})[0] == 409
    status, headers, body = _call("GET", "/conflict", {"accesskey": tenant["accessKey"]})
    assert status == 429
    _assert_envelope(status, headers, body, "GU_2400")
    assert body["errorDesc"] == "Too many requests"
    assert int(headers["Retry-After"]) > 0 and headers["X-RateLimit-Remaining"] == "0"
    assert int(headers["X-RateLimit-Reset"]) > clock.now()


def test_contract_costs_two_dynamodb_calls(tenant, dynamodb_calls) -> None:
    _call("GET", "/conflict", {"accesskey": tenant["accessKey"]})
    assert dynamodb_calls == ["BatchGetItem", "UpdateItem"]
