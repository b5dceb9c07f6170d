"""The embedded AWS's state, kept as state in the state directory (not as the requests
that produced it), written before each response goes out and loaded at start.

One mechanism per kind of data: DynamoDB item by item (``dynamodb``), SQS message by
message and S3 object by object, writing only what changed (``sqs``, ``s3``), and the
small services' backends whole (``backends``). All of it goes to one SQLite file
(``store``); each request's changes are one transaction.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cslocal.persistence import backends, dynamodb
from cslocal.persistence.s3 import ObjectState
from cslocal.persistence.sqs import QueueState
from cslocal.persistence.store import STATE_FILE, StateStore

OLD_JOURNAL = "aws-journal.jsonl"
_READS = ("Get", "List", "Describe", "Head")


class OldJournalError(RuntimeError):
    """The state directory holds an earlier version's request journal."""


@dataclass(frozen=True)
class Request:
    service: str  # as the request is signed for: dynamodb, sqs, s3, kms, ...
    operation: str  # X-Amz-Target or Action; for REST services, the HTTP method
    access_key: str
    region: str


def describe(environ: dict[str, Any], body: bytes) -> Request:
    """Which service and operation a request is, from its signature's credential scope."""
    credential = ""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    if "Credential=" in authorization:
        credential = authorization.split("Credential=", 1)[1].split(",", 1)[0]
    else:  # pre-signed URL
        credential = parse_qs(str(environ.get("QUERY_STRING", ""))).get("X-Amz-Credential", [""])[0]
    parts = credential.split("/")
    access_key, region, service = (parts[0], parts[2], parts[3]) if len(parts) >= 5 else ("", "", "")
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        operation = target.split(".", 1)[-1]
    elif b"Action=" in body[:200]:
        operation = body.split(b"Action=", 1)[1].split(b"&", 1)[0].decode(errors="ignore")
    else:
        operation = str(environ.get("REQUEST_METHOD", "GET"))
    return Request(service, operation, access_key, region)


class StatePersistence:
    """Saves what a request changed before it is answered; loads it all at start."""

    def __init__(self, state_dir: Path) -> None:
        if (state_dir / OLD_JOURNAL).exists():
            raise OldJournalError(
                f"{state_dir / OLD_JOURNAL} is a request journal from an earlier version of the local stack, "
                "which now keeps its data as state. Replaying that journal is what made restarts slow, and it "
                "replays KMS keys into new keys (tokens encrypted before would not decrypt): run `make reset` "
                "(or delete the state directory) and start again."
            )
        self.store = StateStore(state_dir / STATE_FILE)
        self._queues = QueueState()
        self._objects = ObjectState()
        self._locks = {service: threading.Lock() for service in ("s3", *backends.SERVICES)}

    def load(self) -> dict[str, int]:
        """Everything the state file holds, into moto's backends (before serving)."""
        return {
            "dynamodb items": dynamodb.load(self.store),
            "sqs messages": self._queues.load(self.store),
            "s3 objects": self._objects.load(self.store),
            "backends": backends.load(self.store),
        }

    def changes_state(self, request: Request) -> bool:
        if request.service == "dynamodb":  # (a PartiQL SELECT counts as a write: the product uses none)
            return not request.operation.startswith(dynamodb.READS)
        if request.service == "sqs":  # a receive changes receive counts and may redrive
            return not request.operation.startswith(("Get", "List"))
        if request.service == "s3":
            return request.operation not in ("GET", "HEAD", "OPTIONS")
        if request.service in backends.SERVICES:
            if request.operation in ("GET", "HEAD", "OPTIONS"):
                return False
            return not request.operation.startswith((*_READS, *backends.READS.get(request.service, ())))
        return False

    @contextlib.contextmanager
    def serialized(self, request: Request) -> Iterator[None]:
        """Changes to S3 and the small services one at a time, so each is saved whole
        (SQS's long polls must not wait for each other; DynamoDB has its own lock)."""
        lock = self._locks.get(request.service)
        if lock is None or not self.changes_state(request):
            yield
            return
        with lock:
            yield

    def save(self, request: Request, body: bytes) -> None:
        """What a request that succeeded changed, committed before it is answered."""
        if not self.changes_state(request):
            return
        with self.store.transaction() as writes:
            if request.service == "dynamodb":
                self._save_dynamodb(request, body, writes)
            elif request.service == "sqs":
                self._queues.save(writes)
            elif request.service == "s3":
                self._objects.save(writes)
            else:
                backends.save(request.service, writes)

    def _save_dynamodb(self, request: Request, body: bytes, writes: Any) -> None:
        from moto.dynamodb.models import dynamodb_backends
        from moto.iam.models import get_account_id_from

        if request.operation in dynamodb.ITEM_WRITES:
            backend = dynamodb_backends[get_account_id_from(request.access_key)][request.region]
            dynamodb.save_items(backend, request.operation, json.loads(body or b"{}"), writes)
        else:  # table changes; a write we cannot attribute to items (PartiQL) saves every item
            with_items = request.operation not in dynamodb.TABLE_CHANGES
            dynamodb.save_tables(self.store, writes, with_items=with_items)

    def reset(self) -> None:
        """moto's own reset (``/moto-api/reset``) empties the saved state too."""
        with self.store.transaction() as writes:
            writes.clear()
        self._queues = QueueState()
        self._objects = ObjectState()

    def close(self) -> None:
        self.store.close()
