"""Bulk writes of one object's records (Salesforce sync, bulk loads): many records a
call, the same items as the API paths write (``objects.shapes``, docs/data-model.md).

A ``BulkStore`` serves one page (or one run) of a job for one object of one tenant:

- reads are strongly consistent BatchGetItem, 100 keys a call, of unique items, index
  items and records, each key read at most once per store (``find``, ``by_key``,
  ``records``);
- ``upsert`` and ``delete`` change records and buffer the writes: the record item, its
  unique items (put the new value, delete the old one if it still names the record),
  its index items (the whole item rewritten with the GSID added or removed and ``v``
  bumped, deleted when its list is empty) and the counter's net change;
- ``flush`` sends them with BatchWriteItem, 25 items a call, each key once (the last
  write of a key wins: BatchWriteItem refuses a key twice), and right after them the
  counter's change of the records they wrote, with one UpdateItem ``ADD``;
  ``flush(complete=False)`` sends only full calls and keeps the rest.
  The calls of one phase (below) go up to ``parallel.CONCURRENT_CALLS`` at a time, as do
  the reads of more than 100 keys; phases go one after the other, and the flushes of a
  store in the order they were made.

Record keys. Every record key is built by ``Shape.record_key`` from the record's ref
(``Shape.record_ref``): its GSID, or, for an object with a ``record_key_field``
(CompanyTeam: CompanyUser = "<CompanyId>#<UserId>"), that value. Such an object has one
record per value and no uniqueness item for it: ``find`` on that field reads the record
items themselves, ``by_key`` returns the records by ref, an insert is a put at the key
(a record already there is updated instead, keeping its GSID), and the key never
changes on an update (a move is a delete and an insert). Its unique and index items
carry the refs of the records they name (``ref``, ``refs``), so ``records(gsids)``
finds every record the store has seen: read, named by an item it read, or written.
A CompanyTeam record without SfdcAccountTeamMemberId and managers is one item.

The store keeps its own view of every item it read or wrote, so an index or unique
item touched by several records of a store, or a record changed twice, stays right.
An update that sets every field to the value it already has is skipped: unchanged
records cost no write. After an exception a store's view may be ahead of the table:
discard it and start a new one.

Why no transactions here. One run of a job writes a tenant's records at a time (the
connector allows one run per job, and the jobs of a chain run one after the other),
and every write is a whole item computed from what was read, so writing it again, or
re-running a page, converges to the same state. A transaction would cost twice the
write capacity of the same items, is limited to 100 actions, and the local stand-in
for DynamoDB copies the whole table for each transaction. Without them, a flush is not
atomic; its writes go in an order that keeps an interrupted flush harmless: record
deletions first, then unique and index items, then record puts (a phase starts when
the one before has been written). So an index never misses a record that exists (a
re-run finds and repairs it) — at worst it names a record that does not exist any
more, which readers check against the record anyway.

The counter (``keys.counter``, what includeTotal answers) goes out in the flush that
writes the records it counts, right after their calls and on the same thread (the
write-behind one too): every flush, complete or not, adds exactly the inserts and
deletions it sent, and a call that fails has what it wrote counted before its error is
raised. So a crash between two flushes cannot skew it: the records a later retry finds
already written are updates, and they were counted when written. What is left is the
moment between a flush's last record call and its UpdateItem: a process killed right
there (not an error: that is counted) leaves the counter short by that one flush's
records. Closing it would take a transaction per call (twice the write capacity).

Known race: BatchWriteItem has no conditions. An API request that changes the same
index or unique item (e.g. the Company API inserting a company with the Name a sync is
writing) between this store's read of the item and its flush is overwritten: that
company is then missing from the Name index until it is written again. Keep stores
short-lived (one page) to keep that window small.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from cscore.objects import writable
from cscore.objects.shapes import Shape
from cscore.platform import aws, clock, config, ids, keys, parallel
from cscore.platform.dynamo import Item, from_item, to_attr, to_item
from cscore.platform.records import record_of

BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
MAX_ATTEMPTS = 10  # per call: throttled calls and unprocessed items are retried this often
BACKOFF_BASE = 0.05  # seconds; doubled per attempt, up to BACKOFF_CAP, with full jitter
BACKOFF_CAP = 3.0
RETRYABLE = frozenset({"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"})
# Set by the store, never by a caller's fields.
SYSTEM_FIELDS = frozenset({"Gsid", "CreatedDate", "CreatedBy", "ModifiedDate", "ModifiedBy"})

Ident = tuple[str, str]  # (PK, SK)
Change = tuple[Mapping[str, Any] | None, Mapping[str, Any]]  # (record as read or None to insert, fields to set)


class BatchFailed(Exception):
    """DynamoDB kept refusing part of a batch (throttling) after every retry."""


def _ident(item_key: Item) -> Ident:
    return item_key["PK"]["S"], item_key["SK"]["S"]


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def _same(stored: Any, given: Any) -> bool:
    """Equal as stored values: 5 == 5.0, but True is not 1."""
    if isinstance(stored, bool) or isinstance(given, bool):
        return type(stored) is type(given) and stored == given
    return bool(stored == given)


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
    return _ident(put["Item"] if put else request["DeleteRequest"]["Key"])


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
        change = sum(self.deltas.get(ident, 0) for r in sent if (ident := _request_ident(r)) not in left)
        with self._lock:
            self.landed += change


class BulkStore:
    """Reads and buffered writes of one object's records for one tenant (module doc)."""

    def __init__(
        self, tenant_id: str, shape: Shape, actor_gsid: str, write_behind: bool = False, owner: str | None = None
    ) -> None:
        self.tenant_id = tenant_id
        self.shape = shape
        self.actor_gsid = actor_gsid
        # The sync job writing through this store: records it inserts remember it
        # (keys.SYNC_OWNER, kept by later updates), so its deletes touch only those.
        self.owner = owner
        self.calls: Counter[str] = Counter()  # DynamoDB calls made, by operation
        self.items_written = 0  # items put or deleted by flushes so far
        self._items: dict[Ident, dict[str, Any] | None] = {}  # the store's view: as read, then as written
        self._pending: dict[Ident, tuple[bool, dict[str, Any]]] = {}  # key -> (is a record, write request)
        self._refs: dict[str, str] = {}  # GSID -> ref of the records seen (objects keyed by a field)
        # The counter's change each buffered record write brings (+1 an insert, -1 a
        # deletion), sent with that write (``flush``).
        self._deltas: dict[Ident, int] = {}
        self._failed: BaseException | None = None  # the error of a send that failed (``_send``)
        # Write-behind: one thread sends the flushes, in order, while the caller goes on
        # (reads of the next chunk overlap the writes of this one).
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="bulk-writes") if write_behind else None
        self._sending: list[Future[None]] = []
        self._lock = threading.Lock()  # the counts, when the writer thread updates them too

    # ------------------------------------------------------------------ keys

    @property
    def _by_field(self) -> bool:
        return self.shape.record_key_field is not None

    def _record_key(self, ref: str) -> Item:
        """The key of a record item, from its ref (``Shape.record_ref``): the one place the
        store builds record keys."""
        return self.shape.record_key(self.tenant_id, ref)

    def _key_of(self, record: Mapping[str, Any]) -> Item:
        ref = self.shape.record_ref(record)
        if ref is None:
            raise ValueError(f"{self.shape.name}: {self.shape.record_key_field} is required (it keys the record)")
        return self._record_key(ref)

    def _unique_key(self, field: str, value: object) -> Item:
        return keys.unique_value(self.tenant_id, self.shape.name, field, str(value))

    def _index_key(self, field: str, value: object) -> Item:
        return keys.lookup_index(self.tenant_id, self.shape.name, field, value)

    def ref_of(self, gsid: str) -> str | None:
        """The ref (``Shape.record_ref``) of a record this store has seen: read through
        ``find``, ``by_key`` or ``records``, named by a unique or index item it read, or
        written. For an object keyed by GSID, the GSID itself."""
        return self._refs.get(gsid) if self._by_field else gsid

    def _learn(self, item: Mapping[str, Any] | None) -> None:
        """Remember the refs of the records an item names (record, unique or index item)."""
        if item is None or not self._by_field:
            return
        if "Gsid" in item:
            ref = self.shape.record_ref(item)
            if ref is not None:
                self._refs[str(item["Gsid"])] = ref
        elif "gsid" in item and item.get("ref"):
            self._refs[str(item["gsid"])] = str(item["ref"])
        else:
            for gsid, ref in (item.get("refs") or {}).items():
                self._refs[str(gsid)] = str(ref)

    # ------------------------------------------------------------------ reads

    def find(self, field: str, values: Iterable[Any]) -> dict[str, list[str]]:
        """GSIDs of the records having each value of a unique or index field, or of the
        field that keys the records (``Shape.record_key_field``), by normalized value
        (``keys.normalized``); [] for a value nobody has. Empty values are left out. One
        BatchGetItem per 100 values whose item this store has not read yet."""
        kind = "record" if field == self.shape.record_key_field else None
        if kind is None and field in self.shape.unique_fields:
            kind = "unique"
        elif kind is None and field in self.shape.index_fields:
            kind = "index"
        if kind is None:
            raise ValueError(f"{self.shape.name}.{field} has no unique or index items")

        def make(value: object) -> Item:
            if kind == "record":
                return self._record_key(str(value))
            return self._unique_key(field, value) if kind == "unique" else self._index_key(field, value)

        wanted = {keys.normalized(v): make(v) for v in values if _present(v)}
        self._fetch(wanted.values())
        found: dict[str, list[str]] = {}
        for value, item_key in wanted.items():
            item = self._items.get(_ident(item_key))
            if item is None:
                found[value] = []
            elif kind == "record":
                found[value] = [item["Gsid"]]
            elif kind == "unique":
                found[value] = [item["gsid"]]
            else:
                found[value] = list(item.get("gsids") or [])
        return found

    def by_key(self, refs: Iterable[Any]) -> dict[str, dict[str, Any]]:
        """The existing records keyed by each ref (``Shape.record_ref``: the value of the
        ``record_key_field``, e.g. CompanyTeam "<CompanyId>#<UserId>", or the GSID), by the
        ref as given; refs with no record are left out. One BatchGetItem per 100 records
        this store has not read yet."""
        wanted = {str(r): self._record_key(str(r)) for r in refs if _present(r)}
        self._fetch(wanted.values())
        found: dict[str, dict[str, Any]] = {}
        for ref, item_key in wanted.items():
            item = self._items.get(_ident(item_key))
            if item is not None:
                found[ref] = record_of(item)
        return found

    def records(self, gsids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The existing records among ``gsids`` (as this store last read or wrote them).
        An object keyed by a field finds only records this store has seen (``ref_of``)."""
        refs = {gsid: ref for gsid in dict.fromkeys(gsids) if (ref := self.ref_of(gsid)) is not None}
        self._fetch(self._record_key(ref) for ref in refs.values())
        found: dict[str, dict[str, Any]] = {}
        for gsid, ref in refs.items():
            item = self._items.get(_ident(self._record_key(ref)))
            if item is not None and (not self._by_field or item.get("Gsid") == gsid):
                found[gsid] = record_of(item)
        return found

    def _fetch(self, item_keys: Iterable[Item]) -> None:
        wanted: dict[Ident, Item] = {}
        for item_key in item_keys:
            if _ident(item_key) not in self._items:
                wanted.setdefault(_ident(item_key), item_key)
        missing = list(wanted.values())
        chunks = [missing[start : start + BATCH_GET_LIMIT] for start in range(0, len(missing), BATCH_GET_LIMIT)]
        for chunk, found in zip(chunks, parallel.each(self._batch_get, chunks), strict=True):
            for item_key in chunk:
                item = found.get(_ident(item_key))
                self._items[_ident(item_key)] = item
                self._learn(item)

    def _batch_get(self, item_keys: list[Item]) -> dict[Ident, dict[str, Any]]:
        tbl = config.tenant_table()
        client = aws.dynamodb()
        found: dict[Ident, dict[str, Any]] = {}
        pending: dict[str, Any] = {tbl: {"Keys": item_keys, "ConsistentRead": True}}
        attempt = 0
        while pending:
            out = self._call("BatchGetItem", client.batch_get_item, RequestItems=pending)
            if out is None:
                attempt = self._throttled(attempt)
                continue
            for raw in out["Responses"].get(tbl, []):
                found[(raw["PK"]["S"], raw["SK"]["S"])] = from_item(raw)
            pending = dict(out.get("UnprocessedKeys") or {})
            if pending:
                if attempt + 1 >= MAX_ATTEMPTS:
                    raise BatchFailed(f"BatchGetItem: keys still unprocessed after {MAX_ATTEMPTS} attempts")
                _backoff(attempt)
                attempt += 1
        return found

    # ------------------------------------------------------------------ changes

    def refusal(self, fields: Mapping[str, Any]) -> str | None:
        """Why the store will not write these fields (None when it will): a name that is
        not a field of the object (``objects.writable.stored_fields``, or a custom ``__gc``
        name), such as a key or any other storage attribute. The system fields are the
        store's own and set by it."""
        declared = writable.stored_fields(self.shape.name)
        for name in fields:
            if name not in declared and not writable.is_custom_name(name):
                return writable.not_a_field(self.shape.name, name)
        return None

    def upsert(self, changes: Sequence[Change]) -> list[dict[str, Any]]:
        """Insert (``before`` None) or update records; returns the records written, as
        stored. A field set to None is removed; the system fields are the store's: an
        insert gets a new GSID, CreatedDate/ModifiedDate now and CreatedBy/ModifiedBy the
        actor, an update ModifiedDate now and ModifiedBy the actor. An update that changes
        nothing is skipped (not written, not returned), as is one of a record this store
        deleted. ``before`` is the record as read; when the store has written it since, its
        own later state is used instead. Unique values are not checked: callers resolve
        records with ``find`` first (a unique item is moved to whichever record sets it).

        An object keyed by a field (``Shape.record_key_field``): an insert is a put at the
        record's natural key, which the store reads first (100 keys a BatchGetItem, none it
        has read already); when a record is there, the insert updates it (same GSID). An
        update may not change the key (ValueError): that is a delete and an insert.

        A field that is not the object's (``refusal``: a key, any storage attribute) refuses
        the whole call with ValueError before anything changes; callers check rows one by
        one first. The item's key and index keys are applied last: no field overrides them."""
        for _, given in changes:
            refusal = self.refusal({k: v for k, v in given.items() if k not in SYSTEM_FIELDS})
            if refusal:
                raise ValueError(f"{self.shape.name}: {refusal}")
        now = clock.iso()
        if self._by_field:
            self._fetch(self._key_of(given) for before, given in changes if before is None)
        planned: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
        for before, given in changes:
            fields = {k: v for k, v in given.items() if k not in SYSTEM_FIELDS}
            if before is None and self._by_field:
                before = self._items.get(_ident(self._key_of(fields)))  # there already: an update
            if before is None:
                gsid = ids.new_gsid(self.shape.gsid_prefix)
                audit = {"CreatedDate": now, "CreatedBy": self.actor_gsid}
                after = {"Gsid": gsid, **{k: v for k, v in fields.items() if v is not None}, **audit}
                after |= {"ModifiedDate": now, "ModifiedBy": self.actor_gsid}
                if self.owner:
                    after[keys.SYNC_OWNER] = self.owner
                planned.append((None, after))
                self._items[_ident(self._key_of(after))] = after
                self._learn(after)
                continue
            record_key = self._key_of(before)
            ident = _ident(record_key)
            stored = self._items[ident] if ident in self._items else dict(before)
            if stored is None:
                continue  # deleted by this store
            current = record_of(stored)
            if all(_same(current.get(k), v) for k, v in fields.items()):
                continue
            after = dict(current)
            if stored.get(keys.SYNC_OWNER):  # not a field: the record keeps who created it
                after[keys.SYNC_OWNER] = stored[keys.SYNC_OWNER]
            for name, value in fields.items():
                if value is None:
                    after.pop(name, None)
                else:
                    after[name] = value
            if self._by_field and self._key_of(after) != record_key:
                raise ValueError(
                    f"{self.shape.name}: {self.shape.record_key_field} of a record cannot change "
                    "(delete the record and insert a new one)"
                )
            after |= {"ModifiedDate": now, "ModifiedBy": self.actor_gsid}
            planned.append((current, after))
            self._items[ident] = after
        self._fetch(k for old, new in planned for k, _, _ in self._entry_changes(old, new))
        for old, new in planned:
            self._apply_entries(old, new)
            record_key = self._key_of(new)
            item = {**to_item(new), **to_item(self.shape.secondary_keys(self.tenant_id, new)), **record_key}
            self._buffer(record_key, new, {"PutRequest": {"Item": item}}, record=True)
            if old is None:
                self._count(record_key, 1)
        return [record_of(new) for _, new in planned]

    def owner_of(self, record: Mapping[str, Any]) -> str | None:
        """The sync job that created a record this store has read or written
        (``keys.SYNC_OWNER``); None for a record entered otherwise or before owners."""
        item = self._items.get(_ident(self._key_of(record)))
        return str(item[keys.SYNC_OWNER]) if item and item.get(keys.SYNC_OWNER) else None

    def delete(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Delete records (as read): the record, its unique items (those still naming it),
        its index entries, one off the counter. A record this store already deleted, or
        one given twice, is deleted once."""
        planned: list[dict[str, Any]] = []
        for given in records:
            ident = _ident(self._key_of(given))
            if ident in self._items:
                known = self._items[ident]
                if known is None:
                    continue
                current = record_of(known)
            else:
                current = record_of(dict(given))
            planned.append(current)
            self._items[ident] = None
        self._fetch(k for old in planned for k, _, _ in self._entry_changes(old, None))
        for old in planned:
            self._apply_entries(old, None)
            record_key = self._key_of(old)
            self._buffer(record_key, None, {"DeleteRequest": {"Key": record_key}}, record=True)
            self._count(record_key, -1)

    def _entry_changes(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[tuple[Item, bool, bool]]:
        """(item key, is a unique item, add) for each unique and index entry the record
        leaves or enters (removals first); an entry whose normalized value stays is kept."""
        changes: list[tuple[Item, bool, bool]] = []
        adds: list[tuple[Item, bool, bool]] = []
        shape = self.shape
        for unique, values_of, make in (
            (True, shape.unique_values, self._unique_key),
            (False, shape.index_values, self._index_key),
        ):
            before = values_of(old) if old else {}
            after = values_of(new) if new else {}
            for name in set(before) | set(after):
                was, now = before.get(name), after.get(name)
                if was is not None and now is not None and keys.normalized(was) == keys.normalized(now):
                    continue
                if was is not None:
                    changes.append((make(name, was), unique, False))
                if now is not None:
                    adds.append((make(name, now), unique, True))
        return changes + adds

    def _apply_entries(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        record = new if new is not None else old
        assert record is not None
        gsid = str(record["Gsid"])
        ref = self.shape.record_ref(record) if self._by_field else None
        for item_key, unique, add in self._entry_changes(old, new):
            current = self._items.get(_ident(item_key))
            if unique:
                if add:
                    self._put_aux(item_key, {"gsid": gsid} | ({"ref": ref} if ref else {}))
                elif current is not None and current.get("gsid") == gsid:
                    self._put_aux(item_key, None)
                continue
            gsids = list((current or {}).get("gsids") or [])
            if (gsid in gsids) == add:
                continue  # already as wanted
            refs = dict((current or {}).get("refs") or {})
            if add:
                gsids.append(gsid)
                if ref:
                    refs[gsid] = ref
            else:
                gsids.remove(gsid)
                refs.pop(gsid, None)
            version = int((current or {}).get("v") or 0) + 1
            attributes = {"gsids": gsids, "v": version} | ({"refs": refs} if self._by_field else {})
            self._put_aux(item_key, attributes if gsids else None)

    def _put_aux(self, item_key: Item, attributes: dict[str, Any] | None) -> None:
        if attributes is None:
            self._buffer(item_key, None, {"DeleteRequest": {"Key": item_key}}, record=False)
        else:
            self._buffer(item_key, attributes, {"PutRequest": {"Item": {**to_item(attributes), **item_key}}}, False)

    def _buffer(self, item_key: Item, view: dict[str, Any] | None, request: dict[str, Any], record: bool) -> None:
        self._items[_ident(item_key)] = view
        self._pending[_ident(item_key)] = (record, request)

    def _count(self, record_key: Item, change: int) -> None:
        """The buffered write of this record changes the counter (net, when the record is
        written several times before a flush: an insert then a deletion is 0)."""
        ident = _ident(record_key)
        self._deltas[ident] = self._deltas.get(ident, 0) + change

    # ------------------------------------------------------------------ writes

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
            for _, (ident, _) in chunk:
                del self._pending[ident]
                if ident in self._deltas:
                    count.deltas[ident] = self._deltas.pop(ident)
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
            self._call(
                "UpdateItem",
                client.update_item,
                TableName=config.tenant_table(),
                Key=keys.counter(self.tenant_id, self.shape.name),
                UpdateExpression="ADD #total :n",
                ExpressionAttributeNames={"#total": "total"},
                ExpressionAttributeValues={":n": to_attr(change)},
            )
            is None
        ):
            attempt = self._throttled(attempt)

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

    def _call(self, operation: str, method: Callable[..., Any], **arguments: Any) -> Any:
        """One counted DynamoDB call; None when it was throttled (the caller backs off)."""
        with self._lock:
            self.calls[operation] += 1
        try:
            return method(**arguments)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in RETRYABLE:
                raise
            return None

    @staticmethod
    def _throttled(attempt: int) -> int:
        if attempt + 1 >= MAX_ATTEMPTS:
            raise BatchFailed(f"still throttled after {MAX_ATTEMPTS} attempts")
        _backoff(attempt)
        return attempt + 1

    def _batch_write(self, requests: list[dict[str, Any]], count: _Count) -> None:
        tbl = config.tenant_table()
        client = aws.dynamodb()
        pending: list[dict[str, Any]] = requests
        attempt = 0
        while pending:
            out = self._call("BatchWriteItem", client.batch_write_item, RequestItems={tbl: pending})
            if out is None:
                attempt = self._throttled(attempt)
                continue
            left: dict[str, Any] = dict(out.get("UnprocessedItems") or {})
            unprocessed: list[dict[str, Any]] = list(left.get(tbl, []))
            with self._lock:
                self.items_written += len(pending) - len(unprocessed)
            count.landed_from(pending, unprocessed)
            pending = unprocessed
            if pending:
                if attempt + 1 >= MAX_ATTEMPTS:
                    raise BatchFailed(f"BatchWriteItem: {len(pending)} items unprocessed after {MAX_ATTEMPTS} tries")
                _backoff(attempt)
                attempt += 1
