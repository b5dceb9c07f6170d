"""The DynamoDB calls of one bulk store: counted by operation, and throttled calls
retried with capped exponential backoff and full jitter."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from cscore.platform.dynamo import Item

MAX_ATTEMPTS = 10  # per call: throttled calls and unprocessed items are retried this often
BACKOFF_BASE = 0.05  # seconds; doubled per attempt, up to BACKOFF_CAP, with full jitter
BACKOFF_CAP = 3.0
RETRYABLE = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})

Ident = tuple[str, str]  # (PK, SK)


class BatchFailed(Exception):
    """DynamoDB kept refusing part of a batch (throttling) after every retry."""


def ident(item_key: Item) -> Ident:
    return item_key["PK"]["S"], item_key["SK"]["S"]


def backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))


class Calls:
    """The calls a store made, by operation (the write-behind thread counts too)."""

    def __init__(self) -> None:
        self.made: Counter[str] = Counter()
        self.lock = threading.Lock()

    def call(self, operation: str, method: Callable[..., Any], **arguments: Any) -> Any:
        """One counted DynamoDB call; None when it was throttled (the caller backs off)."""
        with self.lock:
            self.made[operation] += 1
        try:
            return method(**arguments)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in RETRYABLE:
                raise
            return None

    @staticmethod
    def throttled(attempt: int) -> int:
        """Back off after a throttled call; BatchFailed after the last attempt."""
        if attempt + 1 >= MAX_ATTEMPTS:
            raise BatchFailed(f"still throttled after {MAX_ATTEMPTS} attempts")
        backoff(attempt)
        return attempt + 1
