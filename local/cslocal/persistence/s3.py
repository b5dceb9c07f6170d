"""S3 state: buckets and objects, one row per object (its bytes and its fields).

After an S3 request that may change objects, the buckets are compared with what the
state file holds and only new, replaced or deleted objects are written: a change never
rewrites the other objects. Kept: the latest version of each object with its metadata,
content type and checksums. Not kept: uploads in progress (multipart parts: a function
that was writing one starts again), and bucket settings the stack sets again at start
(CORS, notifications).
"""

from __future__ import annotations

import tempfile
import threading
from typing import Any

from moto.s3.models import FakeKey, s3_backends

from cslocal.persistence.objects import dumps, freeze, loads, thaw
from cslocal.persistence.store import StateStore, Writes

BUCKET = "s3.bucket"
OBJECT = "s3.object"
_NOT_STATE = ("lock", "_value_buffer", "multipart")


def _buckets() -> dict[str, Any]:
    return {
        f"{account_id}/{name}": bucket
        for account_id, account in list(s3_backends.items())
        for backend in list(account.values())
        for name, bucket in list(backend.buckets.items())
    }


def _dump(key: FakeKey) -> bytes:
    return dumps((freeze(key, _NOT_STATE), key.value))


def _version(key: FakeKey) -> tuple[int, Any]:
    return (id(key), key.last_modified)


class ObjectState:
    """What the state file holds for S3, to write only what changed."""

    def __init__(self) -> None:
        self._objects: dict[str, dict[str, tuple[int, Any]]] = {}  # bucket scope -> key -> version

    def save(self, writes: Writes) -> None:
        live = _buckets()
        for scope in set(self._objects) - set(live):
            writes.delete(BUCKET, scope, "")
            writes.delete_scope(OBJECT, scope)
            del self._objects[scope]
        for scope, bucket in live.items():
            known = self._objects.get(scope)
            if known is None:
                known = self._objects[scope] = {}
                writes.put(BUCKET, scope, "", bucket.region_name)
            current = {name: bucket.keys[name] for name in list(bucket.keys.keys())}
            writes.changed(OBJECT, scope, known, current, _version, _dump)

    def load(self, store: StateStore) -> int:
        for scope, _, region in store.rows(BUCKET):
            account_id, name = scope.split("/", 1)
            backend = s3_backends[account_id]["aws"]
            if name not in backend.buckets:
                backend.create_bucket(name, str(region))
            self._objects[scope] = {}
        count = 0
        for scope, name, value in store.stream(OBJECT):
            frozen, data = loads(value)
            key: FakeKey = thaw(frozen, lock=threading.Lock(), multipart=None)
            key._value_buffer = tempfile.SpooledTemporaryFile(key._max_buffer_size)  # noqa: SIM115 - the key owns it
            key.value = data  # type: ignore[misc]  # moto's property has a setter
            account_id, bucket_name = scope.split("/", 1)
            s3_backends[account_id]["aws"].buckets[bucket_name].keys[name] = key
            self._objects[scope][name] = _version(key)
            count += 1
        return count
