"""The local stack's event sources, over HTTP against ``python -m cslocal`` running a fixture app.

The fixture (tests/fixtures/event_sources) has one function that records every invocation in
a table; these tests feed it through SQS (with a DLQ), S3 notifications and a run-time schedule.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest

from tests.integration.stack import LocalStack, start_stack

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "event_sources"
STACK_NAME = "cs-platform-local"
RECORDER_ARN = f"arn:aws:lambda:us-east-1:123456789012:function:{STACK_NAME}-RecorderFunction"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    state_dir = tmp_path_factory.mktemp("event-sources-state")
    running = start_stack(state_dir, "--no-persist", "--no-bootstrap", "--schedule-poll-seconds", "0.2", root=FIXTURE)
    yield running
    assert running.stop() == 0


@pytest.fixture(scope="module")
def table(stack: LocalStack) -> str:
    return str(stack.info["tables"]["EventsTable"])


def _queue_url(stack: LocalStack, logical_id: str) -> str:
    return str(stack.client("sqs").get_queue_url(QueueName=stack.info["tables"][logical_id])["QueueUrl"])


def _item(stack: LocalStack, table: str, pk: str) -> dict[str, Any] | None:
    item = stack.client("dynamodb").get_item(TableName=table, Key={"PK": {"S": pk}}, ConsistentRead=True).get("Item")
    if item is None:
        return None
    return {k: (v["S"] if "S" in v else int(v["N"])) for k, v in item.items()}


def _all_items(stack: LocalStack, table: str) -> list[dict[str, Any]]:
    items = stack.client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    return [{k: (v["S"] if "S" in v else int(v["N"])) for k, v in item.items()} for item in items]


def _queue_depth(stack: LocalStack, queue_url: str) -> int:
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_stack_describes_the_fixture(stack: LocalStack) -> None:
    tables = stack.info["tables"]
    assert tables["EventsTable"] == f"{STACK_NAME}-EventsTable"
    assert tables["WorkQueue"] == f"{STACK_NAME}-WorkQueue"
    assert tables["WorkDLQ"] == f"{STACK_NAME}-WorkDLQ"
    assert tables["UploadBucket"] == f"{STACK_NAME}-UploadBucket".lower()
    assert stack.info["apiUrl"].startswith("http://")
    redrive = stack.client("sqs").get_queue_attributes(
        QueueUrl=_queue_url(stack, "WorkQueue"), AttributeNames=["RedrivePolicy", "VisibilityTimeout"]
    )["Attributes"]
    assert json.loads(redrive["RedrivePolicy"])["maxReceiveCount"] == 2
    assert redrive["VisibilityTimeout"] == "3"


def test_sqs_messages_reach_the_function_and_are_deleted(stack: LocalStack, table: str) -> None:
    queue_url = _queue_url(stack, "WorkQueue")
    bodies = [f"ok-{uuid.uuid4().hex[:8]}-{i}" for i in range(3)]
    sqs = stack.client("sqs")
    for body in bodies:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)

    for body in bodies:
        item = stack.wait_for(f"sqs#{body}", lambda body=body: _item(stack, table, f"sqs#{body}"))
        assert item["source"] == f"arn:aws:sqs:us-east-1:123456789012:{STACK_NAME}-WorkQueue"
        assert item["messageId"]
    stack.wait_for("WorkQueue to be empty", lambda: _queue_depth(stack, queue_url) == 0)
    # Deleted on success: nothing was delivered twice.
    assert all(_item(stack, table, f"sqs#{body}")["invocations"] == 1 for body in bodies)


def test_failed_message_goes_to_dlq_and_the_rest_of_its_batch_is_processed(stack: LocalStack, table: str) -> None:
    queue_url = _queue_url(stack, "WorkQueue")
    dlq_url = _queue_url(stack, "WorkDLQ")
    tag = uuid.uuid4().hex[:8]
    good = [f"batch-{tag}-a", f"batch-{tag}-b"]
    # One SendMessageBatch, delayed so that all three become visible together and are received as one batch.
    entries = [
        {"Id": f"m{i}", "MessageBody": body, "DelaySeconds": 1} for i, body in enumerate([good[0], "fail", good[1]])
    ]
    sent = stack.client("sqs").send_message_batch(QueueUrl=queue_url, Entries=entries)
    assert not sent.get("Failed")
    fail_id = next(s["MessageId"] for s in sent["Successful"] if s["Id"] == "m1")

    dead = stack.wait_for(
        "the failed message in WorkDLQ",
        lambda: stack.client("sqs").receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages"),
        timeout=30,  # two deliveries, each hidden for the queue's 3 s visibility timeout
    )
    assert [m["Body"] for m in dead] == ["fail"]
    assert dead[0]["MessageId"] == fail_id

    # It was delivered (and reported as failed) maxReceiveCount times, and never recorded as a success.
    first = _item(stack, table, "sqs-failed#fail#1")
    second = _item(stack, table, "sqs-failed#fail#2")
    assert first is not None and first["messageId"] == fail_id
    assert second is not None and second["messageId"] == fail_id
    assert _item(stack, table, "sqs-failed#fail#3") is None
    assert _item(stack, table, "sqs#fail") is None

    # The other messages of its first batch were processed once, and deleted.
    assert sorted(json.loads(first["batch"])) == sorted([*good, "fail"])
    for body in good:
        item = _item(stack, table, f"sqs#{body}")
        assert item is not None, f"{body} was not processed"
        assert item["invocations"] == 1
    stack.wait_for("WorkQueue to be empty", lambda: _queue_depth(stack, queue_url) == 0)


def test_s3_object_created_invokes_the_function(stack: LocalStack, table: str) -> None:
    bucket = stack.info["tables"]["UploadBucket"]
    key = f"uploads/{uuid.uuid4().hex}.txt"
    stack.client("s3").put_object(Bucket=bucket, Key=key, Body=b"hello")

    item = stack.wait_for(f"s3#{bucket}/{key}", lambda: _item(stack, table, f"s3#{bucket}/{key}"))
    assert item["eventName"].startswith("ObjectCreated:")
    record = json.loads(item["event"])
    assert record["eventSource"] == "aws:s3"
    assert record["s3"]["bucket"]["name"] == bucket
    assert unquote_plus(record["s3"]["object"]["key"]) == key  # URL-encoded in S3 events, as in AWS
    assert item["invocations"] == 1
    # S3's test event (sent to the queue when notifications are configured) is not a Lambda event.
    assert not [i for i in _all_items(stack, table) if "s3:TestEvent" in str(i.get("event", ""))]


def test_runtime_schedule_fires_once_with_its_input(stack: LocalStack, table: str) -> None:
    marker = f"marker-{uuid.uuid4().hex}"
    name = f"once-{marker}"
    at = (datetime.now(UTC) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S")
    scheduler = stack.client("scheduler")
    scheduler.create_schedule(
        Name=name,
        ScheduleExpression=f"at({at})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": RECORDER_ARN,
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps({"marker": marker, "job": "nightly"}),
        },
    )
    try:
        assert _item(stack, table, f"schedule#{marker}") is None  # not before its time
        item = stack.wait_for(f"schedule#{marker}", lambda: _item(stack, table, f"schedule#{marker}"), timeout=10)
        assert json.loads(item["event"]) == {"marker": marker, "job": "nightly"}
        time.sleep(1.5)  # several more polls of the schedules
        assert _item(stack, table, f"schedule#{marker}")["invocations"] == 1
    finally:
        scheduler.delete_schedule(Name=name)


def test_a_function_past_its_timeout_is_cut_and_replaced(stack: LocalStack) -> None:
    import requests

    fast = requests.get(f"{stack.info['apiUrl']}/slow", params={"sleep": "0"}, timeout=10)
    assert fast.status_code == 200 and 0 < fast.json()["remainingMs"] <= 1000
    started = time.monotonic()
    cut = requests.get(f"{stack.info['apiUrl']}/slow", params={"sleep": "5"}, timeout=10)
    assert time.monotonic() - started < 3  # cut at the 1 s timeout, not after 5 s
    assert cut.status_code == 502  # a function error to API Gateway (504 is its own integration timeout)
    assert cut.json()["errorCode"] == "GU_1101"
    again = requests.get(f"{stack.info['apiUrl']}/slow", params={"sleep": "0"}, timeout=10)
    assert again.status_code == 200
    assert again.json()["pid"] != fast.json()["pid"]  # the timed-out environment was killed, a new one serves
