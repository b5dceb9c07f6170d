"""The reading side of a bulk store (``objects.bulk``): strongly consistent BatchGetItem,
100 keys a call, of unique items, index items and records, each key read at most once
per store, into the store's view of every item it read (and, through the planner, wrote).

It is also the one place a store builds item keys from the object's shape, and it
learns the refs of the records the items it reads name (``ref_of``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cscore.catalog.shapes import Shape
from cscore.objects.bulk import calls
from cscore.objects.bulk.calls import MAX_ATTEMPTS, BatchFailed, Calls, Ident, ident
from cscore.platform import aws, config, keys, parallel
from cscore.platform.dynamo import Item, from_item
from cscore.platform.records import record_of

BATCH_GET_LIMIT = 100


def present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


class Reader:
    """Reads of one object's items for one tenant, and the store's view of them."""

    def __init__(self, tenant_id: str, shape: Shape, made: Calls) -> None:
        self.tenant_id = tenant_id
        self.shape = shape
        self.calls = made
        self.items: dict[Ident, dict[str, Any] | None] = {}  # the store's view: as read, then as written
        self._refs: dict[str, str] = {}  # GSID -> ref of the records seen (objects keyed by a field)

    @property
    def by_field(self) -> bool:
        return self.shape.record_key_field is not None

    def record_key(self, ref: str) -> Item:
        """The key of a record item, from its ref (``Shape.record_ref``): the one place the
        store builds record keys."""
        return self.shape.record_key(self.tenant_id, ref)

    def key_of(self, record: Mapping[str, Any]) -> Item:
        ref = self.shape.record_ref(record)
        if ref is None:
            raise ValueError(f"{self.shape.name}: {self.shape.record_key_field} is required (it keys the record)")
        return self.record_key(ref)

    def unique_key(self, field: str, value: object) -> Item:
        return keys.unique_value(self.tenant_id, self.shape.name, field, str(value))

    def index_key(self, field: str, value: object) -> Item:
        return keys.lookup_index(self.tenant_id, self.shape.name, field, value)

    def ref_of(self, gsid: str) -> str | None:
        """The ref (``Shape.record_ref``) of a record this store has seen: read through
        ``find``, ``by_key`` or ``records``, named by a unique or index item it read, or
        written. For an object keyed by GSID, the GSID itself."""
        return self._refs.get(gsid) if self.by_field else gsid

    def learn(self, item: Mapping[str, Any] | None) -> None:
        """Remember the refs of the records an item names (record, unique or index item)."""
        if item is None or not self.by_field:
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
                return self.record_key(str(value))
            return self.unique_key(field, value) if kind == "unique" else self.index_key(field, value)

        wanted = {keys.normalized(v): make(v) for v in values if present(v)}
        self.fetch(wanted.values())
        found: dict[str, list[str]] = {}
        for value, item_key in wanted.items():
            item = self.items.get(ident(item_key))
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
        wanted = {str(r): self.record_key(str(r)) for r in refs if present(r)}
        self.fetch(wanted.values())
        found: dict[str, dict[str, Any]] = {}
        for ref, item_key in wanted.items():
            item = self.items.get(ident(item_key))
            if item is not None:
                found[ref] = record_of(item)
        return found

    def records(self, gsids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The existing records among ``gsids`` (as this store last read or wrote them).
        An object keyed by a field finds only records this store has seen (``ref_of``)."""
        refs = {gsid: ref for gsid in dict.fromkeys(gsids) if (ref := self.ref_of(gsid)) is not None}
        self.fetch(self.record_key(ref) for ref in refs.values())
        found: dict[str, dict[str, Any]] = {}
        for gsid, ref in refs.items():
            item = self.items.get(ident(self.record_key(ref)))
            if item is not None and (not self.by_field or item.get("Gsid") == gsid):
                found[gsid] = record_of(item)
        return found

    def fetch(self, item_keys: Iterable[Item]) -> None:
        """Read the items among ``item_keys`` the view does not hold yet (100 a call)."""
        wanted: dict[Ident, Item] = {}
        for item_key in item_keys:
            if ident(item_key) not in self.items:
                wanted.setdefault(ident(item_key), item_key)
        missing = list(wanted.values())
        chunks = [missing[start : start + BATCH_GET_LIMIT] for start in range(0, len(missing), BATCH_GET_LIMIT)]
        for chunk, found in zip(chunks, parallel.each(self._batch_get, chunks), strict=True):
            for item_key in chunk:
                item = found.get(ident(item_key))
                self.items[ident(item_key)] = item
                self.learn(item)

    def reread(self, item_keys: list[Item]) -> dict[Ident, dict[str, Any]]:
        """The items as the table holds them now (strongly consistent, 100 a call), whatever
        the view holds; the view is left as it is."""
        chunks = [item_keys[start : start + BATCH_GET_LIMIT] for start in range(0, len(item_keys), BATCH_GET_LIMIT)]
        found: dict[Ident, dict[str, Any]] = {}
        for part in parallel.each(self._batch_get, chunks):
            found.update(part)
        return found

    def _batch_get(self, item_keys: list[Item]) -> dict[Ident, dict[str, Any]]:
        tbl = config.tenant_table()
        client = aws.dynamodb()
        found: dict[Ident, dict[str, Any]] = {}
        pending: dict[str, Any] = {tbl: {"Keys": item_keys, "ConsistentRead": True}}
        attempt = 0
        while pending:
            out = self.calls.call("BatchGetItem", client.batch_get_item, RequestItems=pending)
            if out is None:
                attempt = self.calls.throttled(attempt)
                continue
            for raw in out["Responses"].get(tbl, []):
                found[(raw["PK"]["S"], raw["SK"]["S"])] = from_item(raw)
            pending = dict(out.get("UnprocessedKeys") or {})
            if pending:
                if attempt + 1 >= MAX_ATTEMPTS:
                    raise BatchFailed(f"BatchGetItem: keys still unprocessed after {MAX_ATTEMPTS} attempts")
                calls.backoff(attempt)
                attempt += 1
        return found
