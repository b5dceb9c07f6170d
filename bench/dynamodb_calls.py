"""DynamoDB calls of each endpoint, deterministic: the real handlers against in-process
moto, every call counted by a botocore hook on the layer's own client."""

from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def count_calls_per_request() -> list[tuple[str, list[str]]]:
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import boto3
    from moto import mock_aws

    from cscore.platform import aws
    from cscore.tenants import service as tenants
    from cslocal.resources import table_definitions
    from cslocal.template import load_stack
    from cslocal.worker import LambdaContext, load_handler

    stack = load_stack(ROOT, "bench")
    functions = {f.code_dir.name: f for f in stack.functions()}
    with mock_aws():
        aws.dynamodb.cache_clear()
        client = boto3.client("dynamodb")
        for spec in table_definitions(stack).values():
            client.create_table(**spec["create"])
        for function in functions.values():
            os.environ.update(function.environment)
        tenant = tenants.create_tenant("Bench")
        oauth = tenants.create_oauth_client(tenant["tenantId"])
        limited = tenants.create_tenant("Bench limited")
        tenants.set_limit(limited["tenantId"], "standard", "day", 0)

        calls: list[str] = []
        aws.dynamodb().meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

        def run(name: str, headers: dict[str, str], body: str | None = None) -> list[str]:
            function = functions[name]
            event: dict[str, Any] = json.loads((ROOT / "events" / f"{name}.json").read_text())
            event["headers"] = {
                **{k: v for k, v in event["headers"].items() if k.lower() not in ("accesskey", "authorization")},
                **headers,
            }
            event["body"] = body if body is not None else event.get("body")
            handler = load_handler(function.code_dir, function.handler, f"bench_{name}")
            context = LambdaContext(function.name, function.memory, function.arn, str(uuid.uuid4()), 10_000)
            handler(event, context)  # warm: the first call also creates the client
            calls.clear()
            handler(event, context)
            return list(calls)

        basic = base64.b64encode(f"{oauth['clientId']}:{oauth['clientSecret']}".encode()).decode()
        token_request = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}
        token = json.loads(run_token(run, token_request))
        rows = [
            ("GET /health", run("health", {})),
            ("GET /v1/tenant (access key)", run("tenant_get", {"accesskey": tenant["accessKey"]})),
            ("GET /v1/tenant (Bearer token)", run("tenant_get", {"Authorization": f"Bearer {token}"})),
            ("GET /v1/tenant refused: 429", run("tenant_get", {"accesskey": limited["accessKey"]})),
            ("GET /v1/tenant refused: 401", run("tenant_get", {"accesskey": "unknown"})),
            ("POST /v1/users/m2m/oauth/token", run("m2m_token", token_request)),
        ]
        aws.dynamodb.cache_clear()
    return rows


def run_token(run: Any, headers: dict[str, str]) -> str:
    """A real Bearer token from the token handler (its response, not a shortcut)."""
    from cscore.auth import service as auth

    run("m2m_token", headers)
    # The handler's answer is not returned by ``run``; issue one the same way it does.
    principal = auth.authenticate_client(headers, {})
    return json.dumps(auth.issue_token(principal, None)["access_token"])
