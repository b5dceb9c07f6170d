"""The writing side of a bulk store (``objects.bulk``): the buffered writes and the
counter's net change they carry, sent by ``flush`` with BatchWriteItem, 25 items a call,
each key once, in phases (record deletions, then unique and index items, then record
puts), the calls of one phase up to ``parallel.CONCURRENT_CALLS`` at a time, then the
counter's change of the records they wrote (one UpdateItem ``ADD``); optionally from a
write-behind thread, flush after flush in order."""

from __future__ import annotations

import functools
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from cscore.objects.bulk import calls
from cscore.objects.bulk.calls import MAX_ATTEMPTS, BatchFailed, Calls, Ident, ident
from cscore.platform import aws, config, keys, parallel
from cscore.platform.dynamo import Item, to_attr

BATCH_WRITE_LIMIT = 25


def _concurrent_groups(
    batches: list[tuple[frozenset[int], list[dict[str, Any]]]],
) -> list[list[list[dict[str, Any]]]]:
    """The calls of a flush, in order, grouped so that calls of one group may go at the
    same time: consecutive calls that hold items of one and the same phase (its keys are
    distinct, so their order does not matter), at most ``parallel.CONCURRENT_CALLS``. A call
    holding the end of one phase and the start of the next goes alone."""
    groups: list[list[list[dict[str, Any]]]] = []
    previous: frozenset[int] | None = None
    for phases, batch in batches:
        joins = previous == phases and len(phases) == 1 and len(groups[-1]) < parallel.CONCURRENT_CALLS
        if joins:
            groups[-1].append(batch)
        else:
            groups.append([batch])
        previous = phases
    return groups


def _request_ident(request: dict[str, Any]) -> Ident:
    """The key a BatchWriteItem request writes."""
    put = request.get("PutRequest")
    return ident(put["Item"] if put else request["DeleteRequest"]["Key"])


class _Count:
    """The counter's change one send carries (by record key) and how much of it has
    landed: the changes of the records its calls wrote, call by call."""

    def __init__(self) -> None:
        self.deltas: dict[Ident, int] = {}
        self.landed = 0
        self._lock = threading.Lock()  # the calls of a group report at the same time

    def landed_from(self, sent: list[dict[str, Any]], unprocessed: list[dict[str, Any]]) -> None:
        """One BatchWriteItem call answered: every request it was sent landed but the
        unprocessed ones."""
        if not self.deltas:
            return
        left = {_request_ident(r) for r in unprocessed}
        change = sum(self.deltas.get(key, 0) for r in sent if (key := _request_ident(r)) not in left)
        with self._lock:
            self.landed += change


class Writer:
    """Buffered writes of one object's items for one tenant."""

    def __init__(self, tenant_id: str, object_name: str, made: Calls, write_behind: bool = False) -> None:
        self.tenant_id = tenant_id
        self.object_name = object_name
        self.calls = made
        self.items_written = 0  # items put or deleted by flushes so far
        self._pending: dict[Ident, tuple[bool, dict[str, Any]]] = {}  # key -> (is a record, write request)
        # The counter's change each buffered record write brings (+1 an insert, -1 a
        # deletion), sent with that write (``flush``).
        self._deltas: dict[Ident, int] = {}
        self._failed: BaseException | None = None  # the error of a send that failed (``_send``)
        # Write-behind: one thread sends the flushes, in order, while the caller goes on
        # (reads of the next chunk overlap the writes of this one).
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="bulk-writes") if write_behind else None
        self._sending: list[Future[None]] = []

    def buffer(self, item_key: Item, request: dict[str, Any], record: bool) -> None:
        """Buffer one write (a later write of the same key replaces it)."""
        self._pending[ident(item_key)] = (record, request)

    def count(self, record_key: Item, change: int) -> None:
        """The buffered write of this record changes the counter (net, when the record is
        written several times before a flush: an insert then a deletion is 0)."""
        key = ident(record_key)
        self._deltas[key] = self._deltas.get(key, 0) + change

    @property
    def pending(self) -> int:
        """Items buffered for the next flush."""
        return len(self._pending)

    def flush(self, complete: bool = True) -> None:
        """Send the buffered writes (BatchWriteItem, 25 a call: record deletions, then
        unique and index items, then records, each phase in calls of its own), then the
        counter's net change for the records those calls wrote (one UpdateItem right
        after them, on the same thread; none when it is 0). A call that fails still has
        what it wrote counted before the error is raised.

        ``complete=False`` sends only full calls of 25, taken in that order over every
        buffered write (so a call may hold the end of one phase and the start of the
        next), with the counter's change of the records in them, and keeps the rest
        (fewer than 25) for a later flush: a caller that flushes after each chunk of rows
        then pays ⌈N/25⌉ calls in all. A caller must end with a complete flush."""
        entries = list(self._pending.items())
        phases = [
            [(i, r) for i, (is_record, r) in entries if is_record and "DeleteRequest" in r],
            [(i, r) for i, (is_record, r) in entries if not is_record],
            [(i, r) for i, (is_record, r) in entries if is_record and "PutRequest" in r],
        ]
        tagged = [(number, entry) for number, phase in enumerate(phases) for entry in phase]
        if not complete:
            tagged = tagged[: len(tagged) - len(tagged) % BATCH_WRITE_LIMIT]
        batches: list[tuple[frozenset[int], list[dict[str, Any]]]] = []
        count = _Count()
        start = 0
        while start < len(tagged):
            # A complete flush gives each phase calls of its own; complete=False fills every call.
            end = min(start + BATCH_WRITE_LIMIT, len(tagged))
            if complete:
                end = next((k for k in range(start, end) if tagged[k][0] != tagged[start][0]), end)
            chunk = tagged[start:end]
            batches.append((frozenset(number for number, _ in chunk), [request for _, (_, request) in chunk]))
            for _, (key, _) in chunk:
                del self._pending[key]
                if key in self._deltas:
                    count.deltas[key] = self._deltas.pop(key)
            start = end
        groups = _concurrent_groups(batches)
        if self._writer is None:
            self._send(groups, count)
        else:
            self._sending.append(self._writer.submit(self._send, groups, count))
            self._collect(wait=complete)

    def _send(self, groups: list[list[list[dict[str, Any]]]], count: _Count) -> None:
        """Each group after the one before (the calls of a group at the same time), then
        the counter's change of the records they wrote: the counter follows its records,
        so a crash between two flushes cannot lose it (module doc).

        Once a send has failed, no later send of the store goes out: the store's view
        assumed the failed writes, so a later flush built on it (an update of a record
        whose insert failed, a re-insert of one whose deletion failed) would leave the
        table and the counter disagreeing."""
        if self._failed is not None:
            raise BatchFailed("an earlier flush of this store failed; nothing after it is sent") from self._failed
        try:
            for group in groups:
                parallel.each(functools.partial(self._batch_write, count=count), group, "writes")
        except BaseException as exc:
            self._failed = exc
            raise
        finally:
            self._add_to_counter(count.landed)

    def _add_to_counter(self, change: int) -> None:
        if not change:
            return
        client = aws.dynamodb()
        attempt = 0
        while (
            self.calls.call(
                "UpdateItem",
                client.update_item,
                TableName=config.tenant_table(),
                Key=keys.counter(self.tenant_id, self.object_name),
                UpdateExpression="ADD #total :n",
                ExpressionAttributeNames={"#total": "total"},
                ExpressionAttributeValues={":n": to_attr(change)},
            )
            is None
        ):
            attempt = self.calls.throttled(attempt)

    def _collect(self, wait: bool) -> None:
        """Raise the error of a write-behind send that failed; with ``wait``, after every
        send has ended."""
        still: list[Future[None]] = []
        for sending in self._sending:
            if wait or sending.done():
                sending.result()
            else:
                still.append(sending)
        self._sending = still

    def close(self) -> None:
        """Wait for the writes in flight (raising their error) and stop the writer thread."""
        if self._writer is not None:
            try:
                self._collect(wait=True)
            finally:
                self._writer.shutdown(wait=True)

    def _batch_write(self, requests: list[dict[str, Any]], count: _Count) -> None:
        tbl = config.tenant_table()
        client = aws.dynamodb()
        pending: list[dict[str, Any]] = requests
        attempt = 0
        while pending:
            out = self.calls.call("BatchWriteItem", client.batch_write_item, RequestItems={tbl: pending})
            if out is None:
                attempt = self.calls.throttled(attempt)
                continue
            left: dict[str, Any] = dict(out.get("UnprocessedItems") or {})
            unprocessed: list[dict[str, Any]] = list(left.get(tbl, []))
            with self.calls.lock:
                self.items_written += len(pending) - len(unprocessed)
            count.landed_from(pending, unprocessed)
            pending = unprocessed
            if pending:
                if attempt + 1 >= MAX_ATTEMPTS:
                    raise BatchFailed(f"BatchWriteItem: {len(pending)} items unprocessed after {MAX_ATTEMPTS} tries")
                calls.backoff(attempt)
                attempt += 1
