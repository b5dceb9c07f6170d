"""The writing side of a bulk store (``objects.bulk``): the buffered writes and the
counter's net change they carry, sent by ``flush``, 25 items a call, each key once, in
phases (record deletions, unique items, index items, record puts), the calls of one
phase up to ``parallel.CONCURRENT_CALLS`` at a time, then the counter's change of the
records they wrote (one UpdateItem ``ADD``); optionally from a write-behind thread,
flush after flush in order.

Records and unique items go with BatchWriteItem. Index items are shared with every
other writer of the object (the Company and users APIs append to them at any time), so
a whole-item put would drop an entry written between this store's read and its flush.
They go instead as a TransactWriteItems of conditional updates (up to 100 a call, the
most one transaction takes, and under its 4 MB: a quarter of the calls BatchWriteItem
would take): each carries the store's change of the item (the GSIDs it adds and
removes) applied to the item as last read, under the condition that the item still
holds that list; a cancelled call re-reads the items whose condition failed and applies
the same change to what they hold now (a bigger call is cancelled more often by
concurrent API writes, but only its stale items are read again). An index item left with no entry keeps
its key and ``v`` (an update cannot delete it): readers take a missing list as empty."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from cscore.objects.bulk import calls
from cscore.objects.bulk.calls import MAX_ATTEMPTS, BatchFailed, Calls, Ident, ident
from cscore.platform import aws, config, keys, parallel
from cscore.platform.dynamo import Item, to_attr

BATCH_WRITE_LIMIT = 25
TRANSACT_LIMIT = 100  # actions in one TransactWriteItems
# A TransactWriteItems request is at most 4 MB; an index call stops adding items before its
# estimate (``IndexWrite.size``) passes this, leaving room for names and expressions.
TRANSACT_BYTES = 3_000_000
INDEX_PHASE = 2  # record deletions, unique items, index items, record puts

Reread = Callable[[list[Item]], dict[Ident, dict[str, Any]]]


@dataclass
class IndexWrite:
    """A store's change of one index item: from ``base`` (as the store knew it before the
    change; None: no item) to ``target`` (None: no entry left)."""

    key: Item
    base: dict[str, Any] | None
    target: dict[str, Any] | None
    with_refs: bool  # the item also maps each GSID to its record's ref (``refs``)

    @property
    def size(self) -> int:
        """About the bytes its update carries: the list it sets and the one its condition
        compares (a list as read may differ from the base by other writers' entries; the
        margin of ``TRANSACT_BYTES`` covers that)."""
        listed = [*((self.base or {}).get("gsids") or ()), *((self.target or {}).get("gsids") or ())]
        per_entry = 2 if not self.with_refs else 4  # a ref is a GSID-sized string beside its GSID
        return 200 + sum(per_entry * (len(g) + 3) for g in listed)

    def action(self, current: dict[str, Any] | None) -> dict[str, Any] | None:
        """The conditional update applying this change to ``current`` (what the item holds
        now); None when ``current`` already holds it."""
        held = list((current or {}).get("gsids") or [])
        before = list((self.base or {}).get("gsids") or [])
        wanted = list((self.target or {}).get("gsids") or [])
        removed = set(before) - set(wanted)
        added = [g for g in wanted if g not in before]
        gsids = [g for g in held if g not in removed] + [g for g in added if g not in held]
        if gsids == held:
            return None
        names = {"#g": "gsids", "#v": "v"}
        values: dict[str, Any] = {":one": {"N": "1"}}
        if gsids:
            clauses = ["#g = :g"]
            values[":g"] = to_attr(gsids)
            if self.with_refs:
                refs = (current or {}).get("refs") or {}
                new_refs = (self.target or {}).get("refs") or {}
                names["#r"] = "refs"
                values[":r"] = to_attr({g: new_refs.get(g, refs.get(g)) for g in gsids})
                clauses.append("#r = :r")
            expression = "SET " + ", ".join(clauses) + " ADD #v :one"
        else:
            if self.with_refs:
                names["#r"] = "refs"
            expression = "REMOVE " + ", ".join(n for n in names if n != "#v") + " ADD #v :one"
        if held:
            condition = "#g = :read"
            values[":read"] = to_attr(held)
        else:
            condition = "attribute_not_exists(#g)"
        update = {
            "TableName": config.tenant_table(),
            "Key": self.key,
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        return {"Update": update}


Batch = list[Any]  # the write requests of a BatchWriteItem call, or the IndexWrites of an index call


def _concurrent_groups(batches: list[tuple[frozenset[int], Batch]]) -> list[list[Batch]]:
    """The calls of a flush, in order, grouped so that calls of one group may go at the
    same time: consecutive calls that hold items of one and the same phase (its keys are
    distinct, so their order does not matter), at most ``parallel.CONCURRENT_CALLS``. A call
    holding the end of one phase and the start of the next goes alone."""
    groups: list[list[Batch]] = []
    previous: frozenset[int] | None = None
    for phases, batch in batches:
        joins = previous == phases and len(phases) == 1 and len(groups[-1]) < parallel.CONCURRENT_CALLS
        if joins:
            groups[-1].append(batch)
        else:
            groups.append([batch])
        previous = phases
    return groups


def _within_bytes(tagged: list[tuple[int, tuple[Ident, Any]]], start: int, end: int) -> int:
    """Where an index call starting at ``start`` stops, at most ``end``: before its items'
    estimated bytes pass ``TRANSACT_BYTES`` (one item at least)."""
    total = 0
    for k in range(start, end):
        total += tagged[k][1][1].size
        if total > TRANSACT_BYTES and k > start:
            return k
    return end


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

    def __init__(
        self, tenant_id: str, object_name: str, made: Calls, reread: Reread, write_behind: bool = False
    ) -> None:
        self.tenant_id = tenant_id
        self.object_name = object_name
        self.calls = made
        self.reread = reread  # strongly consistent reads of index items whose condition failed
        self.items_written = 0  # items put, updated or deleted by flushes so far
        self._pending: dict[Ident, tuple[bool, dict[str, Any]]] = {}  # key -> (is a record, write request)
        self._indexes: dict[Ident, IndexWrite] = {}  # index item -> the change buffered for it
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

    def buffer_index(
        self, item_key: Item, base: dict[str, Any] | None, target: dict[str, Any] | None, with_refs: bool
    ) -> None:
        """Buffer a change of an index item (a later change of the same item extends it:
        its base stays the item as it was before the first)."""
        key = ident(item_key)
        if key in self._indexes:
            self._indexes[key].target = target
        else:
            self._indexes[key] = IndexWrite(item_key, base, target, with_refs)

    def count(self, record_key: Item, change: int) -> None:
        """The buffered write of this record changes the counter (net, when the record is
        written several times before a flush: an insert then a deletion is 0)."""
        key = ident(record_key)
        self._deltas[key] = self._deltas.get(key, 0) + change

    @property
    def pending(self) -> int:
        """Items buffered for the next flush."""
        return len(self._pending) + len(self._indexes)

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
        phases: list[list[tuple[Ident, Any]]] = [
            [(i, r) for i, (is_record, r) in entries if is_record and "DeleteRequest" in r],
            [(i, r) for i, (is_record, r) in entries if not is_record],
            list(self._indexes.items()),
            [(i, r) for i, (is_record, r) in entries if is_record and "PutRequest" in r],
        ]
        tagged = [(number, entry) for number, phase in enumerate(phases) for entry in phase]
        if not complete:
            tagged = tagged[: len(tagged) - len(tagged) % BATCH_WRITE_LIMIT]
        batches: list[tuple[frozenset[int], Batch]] = []
        count = _Count()
        start = 0
        while start < len(tagged):
            # A complete flush gives each phase calls of its own; complete=False fills every
            # call, but index items never share a call with other items (another operation).
            first = tagged[start][0]
            end = min(start + (TRANSACT_LIMIT if first == INDEX_PHASE else BATCH_WRITE_LIMIT), len(tagged))
            end = next(
                (
                    k
                    for k in range(start, end)
                    if (tagged[k][0] != first if complete else (tagged[k][0] == INDEX_PHASE) != (first == INDEX_PHASE))
                ),
                end,
            )
            if first == INDEX_PHASE:
                end = _within_bytes(tagged, start, end)
            chunk = tagged[start:end]
            batches.append((frozenset(number for number, _ in chunk), [payload for _, (_, payload) in chunk]))
            for number, (key, _) in chunk:
                if number == INDEX_PHASE:
                    del self._indexes[key]
                    continue
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

    def _send(self, groups: list[list[Batch]], count: _Count) -> None:
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
                parallel.each(functools.partial(self._write, count=count), group, "writes")
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

    def _write(self, batch: Batch, count: _Count) -> None:
        if batch and isinstance(batch[0], IndexWrite):
            self._index_write(batch)
        else:
            self._batch_write(batch, count)

    def _index_write(self, changes: list[IndexWrite]) -> None:
        """One TransactWriteItems of conditional index item updates (module doc); the items
        whose condition failed are read again and the call is made again."""
        client = aws.dynamodb()
        current = {ident(c.key): c.base for c in changes}
        attempt = 0
        while True:
            sent = [(c, action) for c in changes if (action := c.action(current[ident(c.key)])) is not None]
            if not sent:
                return
            try:
                out = self.calls.call(
                    "TransactWriteItems", client.transact_write_items, TransactItems=[a for _, a in sent]
                )
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                reasons = exc.response.get("CancellationReasons") or [{"Code": "ConditionalCheckFailed"}] * len(sent)
                stale = [
                    c.key for (c, _), r in zip(sent, reasons, strict=False) if r.get("Code") == "ConditionalCheckFailed"
                ]
                if stale:  # another writer changed them: apply the change to what they hold now
                    fresh = self.reread(stale)
                    current.update({ident(k): fresh.get(ident(k)) for k in stale})
                    if attempt + 1 >= MAX_ATTEMPTS:
                        raise BatchFailed(f"index items still changing after {MAX_ATTEMPTS} tries") from exc
                    attempt += 1
                else:  # a conflicting transaction in flight, or throttled
                    attempt = self.calls.throttled(attempt)
                continue
            if out is None:
                attempt = self.calls.throttled(attempt)
                continue
            with self.calls.lock:
                self.items_written += len(sent)
            return

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
