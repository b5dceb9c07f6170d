"""Every function has a sample event, and its handler answers it the way
``sam local invoke <Function> -e events/<name>.json`` would run it."""

from __future__ import annotations

import base64
import copy
import json
import sys
import uuid
from pathlib import Path
from urllib.parse import unquote_plus

import boto3
import pytest

from cscore.tenants import service as tenants
from cslocal.generate import gateway_path
from cslocal.template import Stack
from cslocal.worker import LambdaContext, load_handler
from tests.unit.conftest import ROOT, STACK

FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}
# In this process (so in-process moto serves them), each under its own module name.
HANDLERS = {name: load_handler(f.code_dir, f.handler, f"fn_{name}") for name, f in FUNCTIONS.items()}


def _event(name: str) -> dict:
    return json.loads((ROOT / "events" / f"{name}.json").read_text())


def _invoke(name: str, event: dict) -> tuple[int, dict, dict]:
    function = FUNCTIONS[name]
    context = LambdaContext(function.name, function.memory, function.arn, str(uuid.uuid4()), function.timeout * 1000)
    response = HANDLERS[name](json.loads(json.dumps(event)), context)
    headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    if headers.get("Content-Type", "").startswith("text/html"):
        return response["statusCode"], headers, {"html": response["body"]}
    if headers.get("Content-Type", "").startswith(("text/javascript", "text/css")):
        return response["statusCode"], headers, {"text": response["body"]}
    return response["statusCode"], headers, json.loads(response["body"])


def test_every_function_has_an_event_file() -> None:
    files = {p.stem for p in (ROOT / "events").glob("*.json")}
    # <name>.json for every function; <name>.<trigger>.json for another trigger of a function.
    assert {f for f in files if "." not in f} == set(FUNCTIONS)
    assert {f.split(".", 1)[0] for f in files} == set(FUNCTIONS)


def _has_event(function, kind: str) -> bool:
    return any(e.get("Type") == kind for e in function.events.values())


API_FUNCTIONS = sorted(n for n, f in FUNCTIONS.items() if _has_event(f, "Api"))
QUEUE_FUNCTIONS = sorted(n for n, f in FUNCTIONS.items() if _has_event(f, "SQS"))
# The sample's own answer where it is not 200: the callback's placeholder state is refused;
# the console's sample asks for /admin, which is sent on to /admin/ (its files are relative).
PLACEHOLDER_REFUSALS = {"oauth_callback": 400, "admin_console": 301}


# Samples of the jobs' triggers: queue batches and schedule inputs (the S3 one needs a file, below).
JOB_SAMPLES = sorted(
    p.stem
    for p in (ROOT / "events").glob("*.json")
    if p.stem.split(".")[0] not in API_FUNCTIONS and p.suffixes[0] != ".s3"
)


@pytest.mark.parametrize("sample", JOB_SAMPLES)
def test_every_job_sample_is_handled(sample: str, aws_tables) -> None:
    name = sample.split(".")[0]
    result = HANDLERS[name](_event(sample), _context(name))
    assert result == ({"queued": 0} if sample.endswith(".schedule") else {"batchItemFailures": []})


def _context(name: str) -> LambdaContext:
    function = FUNCTIONS[name]
    return LambdaContext(function.name, function.memory, function.arn, str(uuid.uuid4()), function.timeout * 1000)


def test_the_bulk_worker_takes_its_sample_s3_event(aws_tables) -> None:
    """What S3 sends the worker for a file created under imports/ (here a file of no import it knows)."""
    event = _event("bulk_import_worker.s3")
    record = event["Records"][0]["s3"]
    record["bucket"]["name"] = aws_tables["BulkImportBucket"]
    boto3.client("s3").put_object(
        Bucket=aws_tables["BulkImportBucket"], Key=unquote_plus(record["object"]["key"]), Body=b"Company Name\r\n"
    )
    outcomes = HANDLERS["bulk_import_worker"](event, _context("bulk_import_worker"))["outcomes"]
    assert len(outcomes) == 1 and isinstance(outcomes[0], str)


def test_the_bulk_worker_hands_each_trigger_to_its_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """S3 records: bucket and URL-decoded key; SQS records: the JSON body, a failure reported alone."""
    service = sys.modules["fn_bulk_import_worker"].worker
    calls: list[tuple] = []
    monkeypatch.setattr(service, "on_s3_object", lambda b, k, ms: calls.append(("s3", b, k, ms())) or "IMPORTED")

    def on_message(message: dict, remaining_ms) -> str:
        calls.append(("sqs", message, remaining_ms()))
        if message.get("fail"):
            raise RuntimeError("boom")
        return "DONE"

    monkeypatch.setattr(service, "on_message", on_message)
    s3_event = _event("bulk_import_worker.s3")
    s3_event["Records"][0]["s3"]["object"]["key"] = "imports/T1/Company+Team%C3%A9+%281%29.csv"
    result = HANDLERS["bulk_import_worker"](s3_event, _context("bulk_import_worker"))
    assert result == {"outcomes": ["IMPORTED"]}
    bucket = s3_event["Records"][0]["s3"]["bucket"]["name"]
    assert calls[0][:3] == ("s3", bucket, "imports/T1/Company Teamé (1).csv") and 0 < calls[0][3] <= 900_000

    batch = _event("bulk_import_worker")
    failing = dict(batch["Records"][0], messageId="m-fail", body=json.dumps({"fail": True}))
    batch["Records"].append(failing)
    result = HANDLERS["bulk_import_worker"](batch, _context("bulk_import_worker"))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-fail"}]}
    assert [c[1] for c in calls[1:]] == [json.loads(batch["Records"][0]["body"]), {"fail": True}]


def test_every_function_is_reached_by_an_api_route_or_a_queue() -> None:
    assert set(API_FUNCTIONS) | set(QUEUE_FUNCTIONS) == set(FUNCTIONS)


def test_a_schedule_firing_for_an_unknown_job_queues_nothing(aws_tables) -> None:
    """What EventBridge Scheduler sends the sync function (its schedules target it)."""
    function = FUNCTIONS["sync_job"]
    context = LambdaContext(function.name, function.memory, function.arn, str(uuid.uuid4()), function.timeout * 1000)
    event = {"tenantId": "no-such-tenant", "jobId": "1C02ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", "trigger": "SCHEDULE"}
    assert HANDLERS["sync_job"](event, context) == {"runId": None}


def test_the_callback_sample_answers_an_html_refusal(aws_tables) -> None:
    status, headers, body = _invoke("oauth_callback", _event("oauth_callback"))
    assert status == 400 and headers["Content-Type"].startswith("text/html")
    assert "GS_SF_1001" in body["html"] and "state: unknown or already used" in body["html"]


@pytest.mark.parametrize("name", API_FUNCTIONS)
def test_the_event_as_shipped_gets_an_answer(name: str, aws_tables) -> None:
    """Open endpoints answer 200; the others need a real key, so the placeholder is a 401."""
    open_endpoint = sys.modules[f"fn_{name}"].app.auth_scheme == "none"
    status, headers, body = _invoke(name, _event(name))
    assert headers["X-Request-Id"] == "c0d61647-d3ce-4785-8bfe-d6dacc5cdf88"
    assert status == PLACEHOLDER_REFUSALS.get(name, 200 if open_endpoint else 401)
    if "result" in body:  # an envelope (all but the OpenAPI document itself)
        assert body["result"] is (status == 200) and body["requestId"] == headers["X-Request-Id"]
    if status == 401 and sys.modules[f"fn_{name}"].app.shape == "scim":  # SCIM's own error shape
        assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and body["status"] == "401"
    elif status == 401:
        assert body["errorCode"] == "GS_APIG_2401"


NO_ROUTE = "No route for this method and path"


def _set_header(event: dict, name: str, value: str) -> None:
    event["headers"][name] = value
    event["multiValueHeaders"][name] = [value]


@pytest.mark.parametrize("name", API_FUNCTIONS)
def test_every_api_sample_reaches_its_route_past_authentication(name: str, aws_tables) -> None:
    """With a tenant's real key (or client credentials) in place of the placeholder, each sample
    is routed by its handler and authenticated: whatever the endpoint then answers (a 400 for a
    sample's unknown ids, say), it is neither a 401/403 nor the "No route" 404."""
    tenant = tenants.create_tenant("Events")
    event = _event(name)
    scheme = sys.modules[f"fn_{name}"].app.auth_scheme
    if scheme == "credential":
        _set_header(event, "accesskey", tenant["accessKey"])
    elif scheme == "oauth_client":
        client = tenants.create_oauth_client(tenant["tenantId"])
        basic = base64.b64encode(f"{client['clientId']}:{client['clientSecret']}".encode()).decode()
        _set_header(event, "Authorization", f"Basic {basic}")
    status, _, body = _invoke(name, event)
    assert status not in (401, 403), body
    assert not (status == 404 and body.get("errorDesc") == NO_ROUTE), body


def _route_differences(stack: Stack) -> set[tuple[str, str, str]]:
    """(function, method, path) served by a handler or routed by the template, not both."""
    template = {
        (f.code_dir.name, e["Properties"]["Method"].upper(), e["Properties"]["Path"])
        for f in stack.functions()
        for e in f.events.values()
        if e.get("Type") == "Api"
    }
    handlers = {
        (name, route.method.upper(), gateway_path(route.path))
        for name in API_FUNCTIONS
        for route in sys.modules[f"fn_{name}"].app._static_routes + sys.modules[f"fn_{name}"].app._dynamic_routes
    }
    return template ^ handlers


def test_each_handler_serves_the_route_the_template_gives_it() -> None:
    assert _route_differences(STACK) == set()
    edited = copy.deepcopy(STACK.doc)
    api = edited["Resources"]["JobsGetFunction"]["Properties"]["Events"]["Api"]["Properties"]
    api["Method"] = "DELETE"
    assert _route_differences(Stack(ROOT, edited, "edited")) == {
        ("jobs_get", "GET", "/v1/connectors/jobs/{jobId}"),
        ("jobs_get", "DELETE", "/v1/connectors/jobs/{jobId}"),
    }


def test_tenant_get_with_a_real_key(aws_tables) -> None:
    tenant = tenants.create_tenant("Events")
    event = _event("tenant_get")
    event["headers"]["accesskey"] = tenant["accessKey"]
    status, headers, body = _invoke("tenant_get", event)
    assert status == 200
    assert body["data"]["tenantId"] == tenant["tenantId"]
    assert body["data"]["rateLimits"]["standard"]["minute"]["used"] == 1
    assert headers["X-RateLimit-Remaining"] == "99"


def test_m2m_token_with_real_client_credentials(aws_tables) -> None:
    tenant = tenants.create_tenant("Events")
    client = tenants.create_oauth_client(tenant["tenantId"])
    event = _event("m2m_token")
    basic = base64.b64encode(f"{client['clientId']}:{client['clientSecret']}".encode()).decode()
    event["headers"]["Authorization"] = f"Basic {basic}"
    status, _, body = _invoke("m2m_token", event)
    assert status == 200
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["data"]["access_token"] == body["access_token"]


def test_a_non_uuid_request_id_is_replaced_by_a_uuid(aws_tables) -> None:
    event = _event("health")
    event["requestContext"]["requestId"] = "local-123"
    _, headers, body = _invoke("health", event)
    assert str(uuid.UUID(body["requestId"])) == body["requestId"] == headers["X-Request-Id"]


def test_handlers_stay_thin() -> None:
    for path in Path(ROOT, "functions").glob("*/app.py"):
        code = path.read_text()
        assert len(code.splitlines()) <= 60, path
        assert "boto3" not in code, f"{path}: data access belongs in the layer"
