"""No lost or stuck work after a timeout (issue 13, point 7): the users create handler
and the users worker, run as Lambda runs them, against in-process moto.

An invocation that Lambda kills is simulated by a BaseException raised from a botocore
hook (the process stops there: nothing after it runs, no ``except Exception`` sees it)."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from cscore.platform import aws, keys
from cscore.platform.dynamo import from_item
from cscore.tenants import service as tenants
from cslocal.worker import load_handler
from tests.unit.conftest import ROOT, STACK

FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}
CREATE = load_handler(FUNCTIONS["users_create"].code_dir, "app.handler", "fn_timeouts_users_create")
WORKER = load_handler(FUNCTIONS["users_worker"].code_dir, "app.handler", "fn_timeouts_users_worker")
NOT_ATTEMPTED = "GU_2412"


class Killed(BaseException):
    """Lambda ended the invocation here."""


class Context:
    """A Lambda context whose remaining time runs down with the clock, and which the test
    can cut short."""

    def __init__(self, remaining_ms: int) -> None:
        self.set_remaining(remaining_ms)
        self.function_name = "users"
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:users"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = "/aws/lambda/users"
        self.log_stream_name = "local"

    def set_remaining(self, ms: int) -> None:
        self._ends = time.monotonic() + ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._ends - time.monotonic()) * 1000), 0)


@pytest.fixture
def tenant(aws_tables) -> dict[str, str]:
    return tenants.create_tenant("Timeouts")


def _users(n: int, tag: str) -> list[dict[str, Any]]:
    return [{"Name": f"U{i}", "Email": f"{tag}{i}@x.io", "SFDCUserName": f"{tag}{i}@x.io"} for i in range(n)]


def _create(
    tenant: dict[str, str],
    records: list[dict[str, Any]],
    context: Context,
    key: str | None = None,
    notify: str = "false",
) -> tuple[int, dict[str, Any]]:
    event = json.loads((ROOT / "events" / "users_create.json").read_text())
    headers = {"accesskey": tenant["accessKey"], "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    event["headers"] = headers
    event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    event["queryStringParameters"] = {"notify": notify}
    event["multiValueQueryStringParameters"] = {"notify": [notify]}
    event["body"] = json.dumps({"records": records})
    response = CREATE(event, context)
    return response["statusCode"], json.loads(response["body"])


def _stored_user(tenant_id: str, gsid: str) -> dict[str, Any] | None:
    item = aws.dynamodb().get_item(TableName=os.environ["TENANT_TABLE_NAME"], Key=keys.user(tenant_id, gsid))
    return from_item(item["Item"]) if "Item" in item else None


def _users_named(tenant_id: str, names: list[str]) -> list[dict[str, Any] | None]:
    """The stored users with these SFDCUserNames (None for a name nobody has)."""
    found = []
    for name in names:
        guard = aws.dynamodb().get_item(
            TableName=os.environ["TENANT_TABLE_NAME"], Key=keys.unique_value(tenant_id, "User", "SFDCUserName", name)
        )
        found.append(_stored_user(tenant_id, guard["Item"]["gsid"]["S"]) if "Item" in guard else None)
    return found


@pytest.fixture
def kill_on(request: pytest.FixtureRequest) -> Iterator[Any]:
    """``kill_on("sqs", "SendMessage")``: the next such call ends the invocation."""
    hooks: list[tuple[Any, str, Any]] = []

    def arm(service: str, operation: str) -> None:
        client = getattr(aws, service)()

        def die(**_: Any) -> None:
            client.meta.events.unregister(f"before-call.{service}.{operation}", die)
            raise Killed

        client.meta.events.register(f"before-call.{service}.{operation}", die)
        hooks.append((client, f"before-call.{service}.{operation}", die))

    yield arm
    for client, name, hook in hooks:
        client.meta.events.unregister(name, hook)


def _sent_mail() -> list[str]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses import ses_backends

    return sorted(m.destinations["ToAddresses"][0] for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def _queued() -> list[dict[str, Any]]:
    """Every message on the users queue, as SQS records (taken off the queue)."""
    sqs = boto3.client("sqs")
    queue = os.environ["USER_EVENTS_QUEUE_URL"]
    records = []
    while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"):
        for message in batch:
            records.append(
                {
                    "messageId": message["MessageId"],
                    "receiptHandle": message["ReceiptHandle"],
                    "body": message["Body"],
                    "attributes": {"ApproximateReceiveCount": "1"},
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:UserEventsQueue",
                    "awsRegion": "us-east-1",
                }
            )
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return records


def _work(records: list[dict[str, Any]]) -> dict[str, Any]:
    return WORKER({"Records": records}, Context(60_000))  # type: ignore[no-any-return]


def _sweep() -> Any:
    """The users worker as its schedule runs it (left-behind follow-up work, any age)."""
    return WORKER({"sweepOutbox": {"olderThanSeconds": 0}}, Context(60_000))


def test_a_retry_after_the_killed_invocation_would_have_ended_is_processed(tenant, kill_on) -> None:
    # The first invocation has 3 s left when it records the key; it creates the users and
    # is killed before it answers: its "in progress" must end with it, not in 24 hours.
    records = _users(3, "retry")
    kill_on("sqs", "SendMessage")
    with pytest.raises(Killed):
        _create(tenant, records, Context(3_000), key="K-retry")
    assert all(_users_named(tenant["tenantId"], [r["SFDCUserName"] for r in records]))

    time.sleep(3.1)
    status, body = _create(tenant, records, Context(10_000), key="K-retry")
    # Processed again: the names are taken now (created by the killed invocation).
    assert status == 400, body
    assert body["errorCode"] == "GU_2401"
    assert [e["errorCode"] for e in body["data"]["errors"]] == ["GS_1409"] * 3


def test_while_the_first_invocation_may_still_run_a_retry_is_refused(tenant, kill_on) -> None:
    kill_on("sqs", "SendMessage")
    with pytest.raises(Killed):
        _create(tenant, _users(1, "early"), Context(60_000), key="K-early")
    status, body = _create(tenant, _users(1, "early"), Context(10_000), key="K-early")
    assert (status, body["errorCode"]) == (409, "GS_1409")


def _remaining_after_transactions(context: Context, allowed: int, then_ms: int) -> Any:
    """After ``allowed`` TransactWriteItems calls, the invocation has ``then_ms`` left."""
    done = {"n": 0}

    def after(**_: Any) -> None:
        done["n"] += 1
        if done["n"] >= allowed:
            context.set_remaining(then_ms)

    aws.dynamodb().meta.events.register("after-call.dynamodb.TransactWriteItems", after)
    return after


def test_a_create_out_of_time_reports_every_record_and_the_key_keeps_that_answer(tenant) -> None:
    records = _users(50, "late")
    context = Context(10_000)
    hook = _remaining_after_transactions(context, allowed=1, then_ms=500)
    try:
        status, body = _create(tenant, records, context, key="K-late")
    finally:
        aws.dynamodb().meta.events.unregister("after-call.dynamodb.TransactWriteItems", hook)
    assert status == 200, body
    data = body["data"]
    created = {r["SFDCUserName"] for r in data["records"]}
    not_attempted = {e["record"]["SFDCUserName"] for e in data["errors"] if e["errorCode"] == NOT_ATTEMPTED}
    assert data["status"] == "PARTIAL_SUCCESS" and created and not_attempted
    assert created | not_attempted == {r["SFDCUserName"] for r in records} and not created & not_attempted
    assert {e["errorCode"] for e in data["errors"]} == {NOT_ATTEMPTED}
    assert "not attempted" in data["errors"][0]["errorMessage"]
    assert data["successRowCount"] == len(created)
    stored = dict(
        zip(
            [r["SFDCUserName"] for r in records],
            _users_named(tenant["tenantId"], [r["SFDCUserName"] for r in records]),
            strict=True,
        )
    )
    assert {name for name, user in stored.items() if user} == created

    # The retry gets the same answer: what the idempotency record stores is what was done.
    again_status, again = _create(tenant, records, Context(10_000), key="K-late")
    assert (again_status, again["data"]) == (status, data)


def test_a_create_with_no_time_for_any_write_does_nothing_and_says_so(tenant) -> None:
    records = _users(3, "none")
    status, body = _create(tenant, records, Context(500), key="K-none")
    assert (status, body["errorCode"]) == (400, "GU_2401")
    assert [e["errorCode"] for e in body["data"]["errors"]] == [NOT_ATTEMPTED] * 3
    assert _users_named(tenant["tenantId"], [r["SFDCUserName"] for r in records]) == [None] * 3
    # Nothing was done, so nothing is remembered: the retry runs.
    status, body = _create(tenant, records, Context(10_000), key="K-none")
    assert status == 200 and body["data"]["successRowCount"] == 3


def test_follow_up_work_left_by_a_killed_invocation_is_delivered_once(tenant, kill_on) -> None:
    records = _users(2, "orphan")
    kill_on("sqs", "SendMessage")
    with pytest.raises(Killed):
        _create(tenant, records, Context(10_000), notify="true")
    users = _users_named(tenant["tenantId"], [r["SFDCUserName"] for r in records])
    assert all(users) and [u["permissionBundles"] for u in users if u] == [[], []]
    assert _queued() == []  # the publish never happened

    _sweep()
    delivered = _queued()
    assert delivered
    # Delivered twice (as SQS may): bundles once, one e-mail per user.
    assert _work(delivered) == {"batchItemFailures": []}
    assert _work(delivered) == {"batchItemFailures": []}
    users = _users_named(tenant["tenantId"], [r["SFDCUserName"] for r in records])
    assert [u["permissionBundles"] for u in users if u] == [["DEFAULT_BUNDLE"], ["DEFAULT_BUNDLE"]]
    assert _sent_mail() == ["orphan0@x.io", "orphan1@x.io"]
    # Done work leaves nothing behind for the next sweep.
    _sweep()
    assert _queued() == []


def test_a_message_delivered_twice_sends_one_email(tenant) -> None:
    status, _ = _create(tenant, _users(1, "twice"), Context(10_000), notify="true")
    assert status == 200
    (message,) = _queued()
    _work([message])
    _work([message])
    assert _sent_mail() == ["twice0@x.io"]


def test_an_update_out_of_time_reports_the_records_it_did_not_attempt(tenant) -> None:
    from cscore.auth import service as auth
    from cscore.platform.deadline import Deadline
    from cscore.users import service

    admin = auth.authenticate({"accesskey": tenant["accessKey"]})
    created = service.create_users(admin, {"records": _users(50, "upd")})["records"]
    changes = {"records": [{"Gsid": u["Gsid"], "Email": f"moved-{u['Gsid']}@x.io"} for u in created]}
    context = Context(10_000)
    hook = _remaining_after_transactions(context, allowed=1, then_ms=500)
    try:
        data = service.update_users(admin, changes, "Gsid", Deadline.of(context))
    finally:
        aws.dynamodb().meta.events.unregister("after-call.dynamodb.TransactWriteItems", hook)
    updated = {r["Gsid"] for r in data["records"]}
    not_attempted = {e["record"]["Gsid"] for e in data["errors"]}
    assert data["status"] == "PARTIAL_SUCCESS" and updated and not_attempted
    assert {e["errorCode"] for e in data["errors"]} == {NOT_ATTEMPTED}
    assert updated | not_attempted == {u["Gsid"] for u in created} and not updated & not_attempted
    for gsid in not_attempted:
        assert _stored_user(tenant["tenantId"], gsid)["Email"].startswith("upd")  # type: ignore[index]


def test_the_schedule_sample_sweeps_nothing_when_nothing_is_left(aws_tables) -> None:
    event = json.loads((ROOT / "events" / "users_worker.schedule.json").read_text())
    assert WORKER(event, Context(60_000)) == {"queued": 0}
