"""The product's tables, queues and settings in in-process moto, for benchmarks that
measure DynamoDB calls and items read (latency in moto says little about DynamoDB)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def in_process_stack() -> Iterator[None]:
    """Every resource of template.yaml created in moto, and the functions' settings set;
    transactions and queries as the local stack runs them (cslocal.moto_transactions,
    cslocal.moto_query: moto's own copy the table per transaction and sort it per query)."""
    os.environ.update(
        {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from bench.dynamodb_calls import ROOT
    from cscore.platform import aws
    from cslocal import moto_query, moto_transactions
    from cslocal.resources import create_all
    from cslocal.template import load_stack

    moto_transactions.install()
    moto_query.install()
    stack = load_stack(ROOT, "bench")
    clients = (aws.dynamodb, aws.sqs, aws.ses, aws.kms, aws.secretsmanager, aws.scheduler)
    with mock_aws():
        for client in clients:
            client.cache_clear()
        create_all(stack, None)
        for function in stack.functions():
            os.environ.update(function.environment)
        try:
            yield
        finally:
            for client in clients:
                client.cache_clear()


def count_calls_and_items(client: Any) -> tuple[list[str], list[int]]:
    """Lists that fill with the client's DynamoDB operations and the items each returned
    (clear them between cases)."""
    calls: list[str] = []
    items: list[int] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))

    def count_items(parsed: dict[str, Any], **_: Any) -> None:
        batch = sum(len(v) for v in parsed.get("Responses", {}).values())
        items.append(len(parsed.get("Items", [])) + batch + ("Item" in parsed))

    client.meta.events.register("after-call.dynamodb", count_items)
    return calls, items
