"""DynamoDB calls of each endpoint, deterministic: the real handlers against in-process
moto, every call counted by a botocore hook on the layer's own client. Each figure is
the second of two calls (the first warms the execution environment), so it is what a
warm Lambda does per request, authentication and rate limiting included."""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
Body = Callable[[int], Any]


def count_calls_per_request() -> list[tuple[str, list[str]]]:
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    import boto3
    from moto import mock_aws

    from cscore.platform import aws
    from cscore.tenants import service as tenants
    from cslocal.resources import create_all
    from cslocal.template import load_stack
    from cslocal.worker import LambdaContext, load_handler

    stack = load_stack(ROOT, "bench")
    functions = {f.code_dir.name: f for f in stack.functions()}
    with mock_aws():
        for client in (aws.dynamodb, aws.sqs, aws.ses):
            client.cache_clear()
        names = create_all(stack, None)
        for function in functions.values():
            os.environ.update(function.environment)
        os.environ["POWERTOOLS_LOG_LEVEL"] = "WARNING"
        os.environ["USER_EVENTS_QUEUE_URL"] = boto3.client("sqs").get_queue_url(QueueName=names["UserEventsQueue"])[
            "QueueUrl"
        ]
        tenant = tenants.create_tenant("Bench")
        oauth = tenants.create_oauth_client(tenant["tenantId"])
        limited = tenants.create_tenant("Bench limited")
        tenants.set_limit(limited["tenantId"], "standard", "day", 0)
        key = {"accesskey": tenant["accessKey"]}

        calls: list[str] = []
        aws.dynamodb().meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

        def run(
            name: str, headers: dict[str, str], body: Body | None = None, query: dict[str, str] | None = None
        ) -> tuple[list[str], dict[str, Any]]:
            function = functions[name]
            event: dict[str, Any] = json.loads((ROOT / "events" / f"{name}.json").read_text())
            kept = {k: v for k, v in event["headers"].items() if k.lower() not in ("accesskey", "authorization")}
            event["headers"] = {**kept, **headers}
            event["queryStringParameters"] = query if query is not None else event.get("queryStringParameters")
            handler = load_handler(function.code_dir, function.handler, f"bench_{name}")
            answer: dict[str, Any] = {}
            for attempt in (0, 1):
                if body is not None:
                    event["body"] = json.dumps(body(attempt))
                calls.clear()
                context = LambdaContext(function.name, function.memory, function.arn, str(uuid.uuid4()), 10_000)
                answer = json.loads(handler(event, context)["body"])
            return list(calls), answer

        def users(n: int, tag: str) -> Body:
            return lambda attempt: {
                "records": [
                    {
                        "Name": "U",
                        "Email": "same@x.io",
                        "SFDCUserName": f"{tag}{attempt}-{i}@x.io",
                        "CompanyName": "XYZ",
                    }
                    for i in range(n)
                ],
                "lookups": {
                    "CompanyID": {"fields": {"CompanyName": "Name"}, "lookupField": "Gsid", "objectName": "Company"}
                },
            }

        def companies(n: int, tag: str) -> Body:
            return lambda attempt: {"records": [{"Name": f"{tag}{attempt}-{i}"} for i in range(n)]}

        basic = base64.b64encode(f"{oauth['clientId']}:{oauth['clientSecret']}".encode()).decode()
        token_request = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}
        token_calls, token_answer = run("m2m_token", token_request)
        bearer = {"Authorization": f"Bearer {token_answer['access_token']}"}
        run("companies_insert", key, companies(1, "XYZ"))  # a company for the users' CompanyName lookup
        rows = [
            ("GET /health", run("health", {})[0]),
            ("GET /v1/tenant (access key)", run("tenant_get", key)[0]),
            ("GET /v1/tenant (Bearer token)", run("tenant_get", bearer)[0]),
            ("GET /v1/tenant refused: 429", run("tenant_get", {"accesskey": limited["accessKey"]})[0]),
            ("GET /v1/tenant refused: 401 (malformed key)", run("tenant_get", {"accesskey": "unknown"})[0]),
            ("POST /v1/users/m2m/oauth/token", token_calls),
        ]
        for n in (1, 50):
            calls_made, answer = run("users_create", key, users(n, f"c{n}-"), {"notify": "false"})
            assert answer["data"]["successRowCount"] == n, answer
            rows.append((f"POST /v1/users/services: {n} user(s), CompanyName lookup", calls_made))
        created = answer["data"]["records"]

        def moved(n: int) -> Body:
            def body(attempt: int) -> Any:
                return {
                    "records": [
                        {"Gsid": u["Gsid"], "Email": f"m{n}-{attempt}-{i}@x.io"} for i, u in enumerate(created[:n])
                    ]
                }

            return body

        for n in (1, 50):
            label = f"PUT /v1/users/services?key=Gsid: {n} user(s), Email changed"
            rows.append((label, run("users_update", key, moved(n), {"key": "Gsid"})[0]))

        def deactivated(gsids: list[str]) -> Body:
            return lambda _attempt: gsids

        for n in (1, 50):
            gsids = [u["Gsid"] for u in created[:n]]
            rows.append(
                (
                    f"PUT /v1/users/services/status: {n} user(s)",
                    run("users_status", key, deactivated(gsids), {"status": "false"})[0],
                )
            )
        for n in (1, 50):
            rows.append(
                (
                    f"POST /v1/data/objects/Company: {n} compan(y/ies)",
                    run("companies_insert", key, companies(n, f"k{n}-"))[0],
                )
            )
        for client in (aws.dynamodb, aws.sqs, aws.ses):
            client.cache_clear()
    return rows
