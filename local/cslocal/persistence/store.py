"""The local stack's state file: one SQLite database in the state directory.

Why SQLite (stdlib ``sqlite3``): one file, transactions that are atomic across many rows
(a BatchWriteItem's 25 items, a transaction's 100), and crash safety against ``kill -9``:
in WAL mode a commit has reached the operating system before ``commit()`` returns, so
with ``synchronous=NORMAL`` a killed process loses nothing it committed (only a power
cut may lose the last commits; ``synchronous=FULL`` would fsync each one, for no gain
on a developer's machine). Loading reads rows in key order, in time proportional to
the live data, not to the history of requests that produced it.

Every row is (kind, scope, key) -> value: e.g. ("dynamodb.item", "<account>/<region>/
<table>", "<canonical key>") -> the item. The file (and SQLite's -wal/-shm files, which
take its permissions) is readable by its owner only: it holds secrets and tokens.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

STATE_FILE = "aws-state.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (kind, scope, key)
) WITHOUT ROWID
"""


class Writes:
    """The rows one transaction changes."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def put(self, kind: str, scope: str, key: str, value: bytes | str) -> None:
        self._connection.execute(
            "INSERT OR REPLACE INTO state (kind, scope, key, value) VALUES (?, ?, ?, ?)", (kind, scope, key, value)
        )

    def delete(self, kind: str, scope: str, key: str) -> None:
        self._connection.execute("DELETE FROM state WHERE kind = ? AND scope = ? AND key = ?", (kind, scope, key))

    def delete_scope(self, kind: str, scope: str) -> None:
        self._connection.execute("DELETE FROM state WHERE kind = ? AND scope = ?", (kind, scope))

    def clear(self) -> None:
        self._connection.execute("DELETE FROM state")

    def changed(
        self,
        kind: str,
        scope: str,
        known: dict[str, Any],
        current: dict[str, T],
        version: Callable[[T], Any],
        dump: Callable[[T], bytes],
    ) -> None:
        """Bring the rows of one scope from ``known`` (key -> version written) to ``current``:
        rows of keys gone are deleted, rows whose version moved are rewritten; ``known``
        follows."""
        for gone in set(known) - set(current):
            self.delete(kind, scope, gone)
            del known[gone]
        for key, value in current.items():
            now = version(value)
            if known.get(key) != now:
                self.put(kind, scope, key, dump(value))
                known[key] = now


class StateStore:
    """Rows of state, changed in transactions committed before the caller answers anyone."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created owner-only before SQLite opens it (SQLite would use the umask).
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
        self._lock = threading.RLock()  # reads may happen inside a transaction
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.execute(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[Writes]:
        """All the writes of the block, committed together (or none, if it raises)."""
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield Writes(self._connection)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def rows(self, kind: str, scope: str | None = None) -> Iterator[tuple[str, str, bytes]]:
        """(scope, key, value) of a kind (within one scope), in key order."""
        with self._lock:
            if scope is None:
                cursor = self._connection.execute(
                    "SELECT scope, key, value FROM state WHERE kind = ? ORDER BY scope, key", (kind,)
                )
            else:
                cursor = self._connection.execute(
                    "SELECT scope, key, value FROM state WHERE kind = ? AND scope = ? ORDER BY key", (kind, scope)
                )
            rows = cursor.fetchall()
        return iter(rows)

    def stream(self, kind: str) -> Iterator[tuple[str, str, bytes]]:
        """Like ``rows`` without holding them all in memory (loading 10^6 items)."""
        cursor = self._connection.execute(
            "SELECT scope, key, value FROM state WHERE kind = ? ORDER BY scope, key", (kind,)
        )
        while batch := cursor.fetchmany(5000):
            yield from batch

    def close(self) -> None:
        with self._lock:
            self._connection.close()
