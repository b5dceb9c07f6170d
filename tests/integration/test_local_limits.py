"""The limits AWS puts on the app, reproduced by the local stack (``python -m cslocal`` running
tests/fixtures/limits): API Gateway's integration timeout, Lambda's reserved concurrency, and
SQS's visibility timeout, redrive, batching window and the event source's maximum concurrency.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.stack import LocalStack, start_stack

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "limits"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    state_dir = tmp_path_factory.mktemp("limits-state")
    running = start_stack(state_dir, "--no-persist", "--no-bootstrap", root=FIXTURE)
    yield running
    assert running.stop() == 0


def _item(stack: LocalStack, pk: str) -> dict[str, Any] | None:
    table = stack.info["tables"]["RecordsTable"]
    item = stack.client("dynamodb").get_item(TableName=table, Key={"PK": {"S": pk}}, ConsistentRead=True).get("Item")
    return {k: (v["S"] if "S" in v else float(v["N"])) for k, v in item.items()} if item else None


def _items(stack: LocalStack, prefix: str) -> list[dict[str, Any]]:
    table = stack.info["tables"]["RecordsTable"]
    items = stack.client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
    found = [{k: (v["S"] if "S" in v else float(v["N"])) for k, v in item.items()} for item in items]
    return [i for i in found if str(i["PK"]).startswith(prefix)]


def _queue_url(stack: LocalStack, logical_id: str) -> str:
    return str(stack.client("sqs").get_queue_url(QueueName=stack.info["tables"][logical_id])["QueueUrl"])


def _assert_gateway_error(answer: requests.Response, status: int) -> None:
    """An answer API Gateway produced itself: the status AWS gives, in the product's envelope
    (the product's API maps DEFAULT_5XX to it in template.yaml's GatewayResponses)."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["result"] is False and body["errorCode"] == "GU_1101"
    assert body["requestId"] == answer.headers["X-Request-Id"]


def test_the_gateway_gives_up_at_the_routes_integration_timeout_and_the_invocation_runs_on(stack: LocalStack) -> None:
    marker = uuid.uuid4().hex
    wall_started, started = time.time(), time.monotonic()
    answer = requests.get(f"{stack.api}/slow", params={"sleep": "3", "id": marker}, timeout=10)
    waited = time.monotonic() - started
    _assert_gateway_error(answer, 504)
    assert 0.9 <= waited < 2.0, waited  # TimeoutInMillis 1000, not the function's 10 s
    assert _item(stack, f"done#{marker}") is None

    # Its environment is still busy with it: another request gets another environment.
    other = requests.get(f"{stack.api}/slow-patient", params={"sleep": "0"}, timeout=30)
    assert other.status_code == 200, other.text

    # The invocation itself completes, about 3 s after it started.
    done = stack.wait_for(f"done#{marker}", lambda: _item(stack, f"done#{marker}"), timeout=10)
    assert done["finishedAt"] - wall_started >= 2.9
    assert done["pid"] != other.json()["pid"]


def test_a_request_beyond_reserved_concurrency_is_throttled(stack: LocalStack) -> None:
    answers: list[tuple[requests.Response, float]] = []

    def call() -> None:
        started = time.monotonic()
        answer = requests.get(f"{stack.api}/single", params={"sleep": "1.5"}, timeout=10)
        answers.append((answer, time.monotonic() - started))

    callers = [threading.Thread(target=call) for _ in range(2)]
    for caller in callers:
        caller.start()
        time.sleep(0.2)
    for caller in callers:
        caller.join()
    statuses = sorted(a.status_code for a, _ in answers)
    assert statuses == [200, 500], [a.text for a, _ in answers]
    throttled, waited = next((a, w) for a, w in answers if a.status_code == 500)
    _assert_gateway_error(throttled, 500)  # Lambda's 429 reaches the client as API Gateway's 500
    assert waited < 1.0  # refused at once, it did not wait for the running one
    # Once the running invocation ends, the function takes a request again.
    assert requests.get(f"{stack.api}/single", params={"sleep": "0"}, timeout=10).status_code == 200


def test_reserved_concurrency_zero_throttles_every_request(stack: LocalStack) -> None:
    _assert_gateway_error(requests.get(f"{stack.api}/disabled", timeout=10), 500)


def test_a_failed_message_returns_after_the_visibility_timeout_and_then_goes_to_the_dlq(stack: LocalStack) -> None:
    body = f"fail-{uuid.uuid4().hex[:8]}"
    stack.client("sqs").send_message(QueueUrl=_queue_url(stack, "WorkQueue"), MessageBody=body)

    first = stack.wait_for(f"{body}#1", lambda: _item(stack, f"{body}#1"), timeout=10)
    second = stack.wait_for(f"{body}#2", lambda: _item(stack, f"{body}#2"), timeout=15)
    # Received again only once the first receive's VisibilityTimeout (3 s) ran out, and soon
    # after (within the 2 s batching window and a poll).
    back_after = second["startedAt"] - first["firstReceivedAt"]
    assert 3.0 <= back_after < 7.0, back_after
    assert second["firstReceivedAt"] == first["firstReceivedAt"]  # the same message
    _dead_letter(stack, body)  # after maxReceiveCount 2
    assert _item(stack, f"{body}#3") is None


def test_an_invocation_that_times_out_fails_its_messages(stack: LocalStack) -> None:
    body = f"sleep:5:{uuid.uuid4().hex[:8]}"  # RecorderFunction's Timeout is 2 s
    stack.client("sqs").send_message(QueueUrl=_queue_url(stack, "WorkQueue"), MessageBody=body)

    _dead_letter(stack, body, timeout=25)
    assert not _items(stack, body)  # never completed


def _dead_letter(stack: LocalStack, body: str, timeout: float = 15) -> None:
    """Wait for ``body`` to reach WorkDLQ (and take it out)."""
    dlq = _queue_url(stack, "WorkDLQ")
    sqs = stack.client("sqs")
    seen: list[str] = []

    def receive() -> bool:
        for message in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10).get("Messages", []):
            sqs.delete_message(QueueUrl=dlq, ReceiptHandle=message["ReceiptHandle"])
            seen.append(message["Body"])
        return body in seen

    stack.wait_for(f"{body} in WorkDLQ", receive, timeout=timeout)


def test_messages_are_gathered_for_the_batching_window(stack: LocalStack) -> None:
    tag = uuid.uuid4().hex[:8]
    bodies = [f"window-{tag}-{i}" for i in range(3)]
    queue_url = _queue_url(stack, "WorkQueue")
    for body in bodies:  # spread over 0.6 s, within the 2 s window
        stack.client("sqs").send_message(QueueUrl=queue_url, MessageBody=body)
        time.sleep(0.3)

    items = [stack.wait_for(b, lambda b=b: _item(stack, f"{b}#1"), timeout=10) for b in bodies]
    assert {json.dumps(sorted(bodies))} == {i["batch"] for i in items}  # one invocation for all three


def test_the_event_sources_maximum_concurrency_caps_concurrent_invocations(stack: LocalStack) -> None:
    tag = uuid.uuid4().hex[:8]
    bodies = [f"sleep:1:{tag}-{i}" for i in range(5)]
    stack.client("sqs").send_message_batch(
        QueueUrl=_queue_url(stack, "PacedQueue"),
        Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)],
    )

    items = [stack.wait_for(b, lambda b=b: _item(stack, f"{b}#1"), timeout=20) for b in bodies]
    moments = sorted([(i["startedAt"], 1) for i in items] + [(i["finishedAt"], -1) for i in items])
    running, most = 0, 0
    for _, step in moments:
        running += step
        most = max(most, running)
    assert most == 2  # MaximumConcurrency 2: never more, and it does run two at a time
