"""Batch calls to DynamoDB at the same time.

A BatchGetItem or BatchWriteItem call spends most of its time waiting on the network and
on DynamoDB, so a caller with several batches sends up to CONCURRENT_CALLS of them at
once. Reads and writes have pools of their own: a read is never queued behind writes
(a write-behind thread may keep the write pool busy while the caller reads). Threads
start on first use, so a function that never batches pays nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

CONCURRENT_CALLS = 4

_POOLS = {
    "reads": ThreadPoolExecutor(CONCURRENT_CALLS, thread_name_prefix="batch-reads"),
    "writes": ThreadPoolExecutor(CONCURRENT_CALLS, thread_name_prefix="batch-writes"),
}

In = TypeVar("In")
Out = TypeVar("Out")


def each(call: Callable[[In], Out], batches: Sequence[In], pool: str = "reads") -> list[Out]:
    """``call`` on every batch, up to CONCURRENT_CALLS at a time, results in batch order;
    the first error is raised once every call has ended. A single batch is called here."""
    if len(batches) <= 1:
        return [call(batch) for batch in batches]
    futures = [_POOLS[pool].submit(call, batch) for batch in batches]
    errors = [f.exception() for f in futures]  # waits for each
    for error in errors:
        if error is not None:
            raise error
    return [f.result() for f in futures]
