"""Unit tests: the layer package against in-process moto, tables built from template.yaml."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from cscore.platform import aws, clock
from cslocal import moto_transactions
from cslocal.resources import create_all
from cslocal.template import load_stack

ROOT = Path(__file__).resolve().parents[2]
STACK = load_stack(ROOT, "unit")
TABLE_ENV = {
    "TenantTable": "TENANT_TABLE_NAME",
    "RateLimitTable": "RATE_LIMIT_TABLE_NAME",
    "ConnectorTable": "CONNECTOR_TABLE_NAME",
    "IdempotencyTable": "IDEMPOTENCY_TABLE_NAME",
}


QUEUE_ENV = {
    "UserEventsQueue": "USER_EVENTS_QUEUE_URL",
    "SyncRunsQueue": "SYNC_RUNS_QUEUE_URL",
    "BulkImportsQueue": "BULK_IMPORTS_QUEUE_URL",
}
BUCKET_ENV = {"BulkImportBucket": "BULK_BUCKET_NAME"}


def _clear_clients() -> None:
    for client in (aws.dynamodb, aws.sqs, aws.ses, aws.kms, aws.secretsmanager, aws.scheduler, aws.s3):
        client.cache_clear()


@pytest.fixture
def aws_tables(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Every table, queue and bucket of template.yaml, created in in-process moto; the
    environment points cscore at them as the template does for the functions."""
    # Transactions as the local stack runs them: moto's own copies every table per call.
    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", moto_transactions.transact_write_items)
    with mock_aws():
        _clear_clients()
        names = create_all(STACK, None)
        # Every setting the template gives the functions (tables, key alias, secret, ...).
        for function in STACK.functions():
            for name, value in function.environment.items():
                if not name.startswith("POWERTOOLS_"):  # the test-wide ones stay
                    monkeypatch.setenv(name, str(value))
        for logical_id, env in TABLE_ENV.items():
            monkeypatch.setenv(env, names[logical_id])
        sqs = boto3.client("sqs")
        for logical_id, env in QUEUE_ENV.items():
            monkeypatch.setenv(env, sqs.get_queue_url(QueueName=names[logical_id])["QueueUrl"])
        for logical_id, env in BUCKET_ENV.items():  # created by create_all, as the template names it
            monkeypatch.setenv(env, names[logical_id])
        boto3.client("ses").verify_email_identity(EmailAddress=STACK.parameters["SesSenderEmail"])
        yield names
        _clear_clients()


class FakeClock:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def fake_clock() -> Iterator[FakeClock]:
    fake = FakeClock(1_800_000_000.0)  # 2027-01-15T08:00:00Z, a whole hour
    clock.set_clock(fake)
    yield fake
    clock.set_clock(None)


@pytest.fixture
def dynamodb_calls() -> Iterator[list[str]]:
    """The DynamoDB operations cscore makes, counted with a botocore event hook."""
    calls: list[str] = []

    def count(model: object, **_: object) -> None:
        calls.append(getattr(model, "name", "?"))

    client = aws.dynamodb()
    client.meta.events.register("before-call.dynamodb", count)
    yield calls
    client.meta.events.unregister("before-call.dynamodb", count)


@pytest.fixture
def items_read() -> Iterator[list[int]]:
    """Items each Query / BatchGetItem / GetItem of cscore answered, in call order."""
    read: list[int] = []

    def count(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if "Items" in parsed:
            read.append(len(parsed["Items"]))
        elif "Responses" in parsed:
            read.append(sum(len(v) for v in parsed["Responses"].values()))
        elif model.name == "GetItem":
            read.append(1 if "Item" in parsed else 0)

    client = aws.dynamodb()
    client.meta.events.register("after-call.dynamodb", count)
    yield read
    client.meta.events.unregister("after-call.dynamodb", count)


@pytest.fixture
def serialized(monkeypatch: pytest.MonkeyPatch) -> None:
    """One DynamoDB request at a time, as the local stack runs moto: moto does not update
    one item atomically under threads (DynamoDB does), and that is not what is tested."""
    lock = threading.RLock()
    for name in ("get_item", "batch_get_item", "batch_write_item", "update_item", "transact_write_items"):
        method: Callable[..., Any] = getattr(DynamoDBBackend, name)

        @functools.wraps(method)
        def locked(*args: Any, _method: Callable[..., Any] = method, **kwargs: Any) -> Any:
            with lock:
                return _method(*args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)
