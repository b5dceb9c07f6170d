"""Company items, their lookup index items and the tenant's Company counter: the only code
that reads or writes them (layout in docs/data-model.md).

- record ``keys.record(t, "Company", gsid)``: the fields, plus ``GSI1PK``/``GSI2PK`` =
  ``T#<t>#Company``, ``GSI1SK`` = ``keys.by_modified_date``, ``GSI2SK`` = ``keys.by_name``;
- index items ``keys.lookup_index(t, "Company", "Name" | "SfdcAccountId", value)``:
  ``gsids``, the companies with that (normalized) value, in the order they got it;
- word items ``keys.word(t, "Company", "Name", text, gsid)`` (``Shape.word_changes``): put
  and deleted in the record's own transaction, unconditionally, as only the record's
  writer touches them;
- counter ``keys.counter(t, "Company")`` (``T#<t>#COUNTERS`` / ``Company``): ``total``, for
  unfiltered ``includeTotal``.

Reads are strongly consistent BatchGetItem (100 keys a call) through a ``Snapshot`` that
remembers what it read; writes are TransactWriteItems of at most 100 actions in which a
record, the index items it enters or leaves and the counter change together. Removing a
GSID from an index list needs its position: it is taken from the snapshot and guarded by
a condition on the list (``gsids[i] = :gsid``, or the whole list when it is rewritten), so
a concurrent change cancels the transaction instead of removing the wrong element.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cscore.catalog import COMPANY
from cscore.companies.schema import INDEXED_FIELDS, OBJECT
from cscore.platform import config, keys, table
from cscore.platform.dynamo import Item, to_attr, to_item
from cscore.platform.records import record_of

TRANSACTION_LIMIT = 100


def record_key(tenant_id: str, gsid: str) -> Item:
    return keys.record(tenant_id, OBJECT, gsid)


def index_key(tenant_id: str, field_name: str, value: object) -> Item:
    return keys.lookup_index(tenant_id, OBJECT, field_name, value)


def user_key(tenant_id: str, gsid: str) -> Item:
    return keys.user(tenant_id, gsid)


def counter_key(tenant_id: str) -> Item:
    return keys.counter(tenant_id, OBJECT)


def public(item: dict[str, Any]) -> dict[str, Any]:
    """A stored company as the API shows it: its fields, without key attributes."""
    return record_of(item)


def _id(item_key: Item) -> str:
    return f"{item_key['PK']['S']}\x00{item_key['SK']['S']}"


class Snapshot:
    """Items of one tenant read (strongly consistent) during one request, by key."""

    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        self._items: dict[str, dict[str, Any] | None] = {}

    def fetch(self, item_keys: Iterable[Item]) -> None:
        """Read every key not read yet: one BatchGetItem per 100 keys, none if all are known."""
        wanted: dict[str, Item] = {}
        for item_key in item_keys:
            if _id(item_key) not in self._items:
                wanted.setdefault(_id(item_key), item_key)
        if wanted:
            found = table.read_many(list(wanted.values()))
            self._items.update(zip(wanted, found, strict=True))

    def known(self, item_key: Item) -> bool:
        return _id(item_key) in self._items

    def get(self, item_key: Item) -> dict[str, Any] | None:
        return self._items.get(_id(item_key))

    def company(self, gsid: str) -> dict[str, Any] | None:
        return self.get(record_key(self.tenant_id, gsid))

    def gsids(self, item_key: Item) -> list[str]:
        """The GSIDs an index item holds ([] when it does not exist)."""
        return list((self.get(item_key) or {}).get("gsids") or [])

    def remember_gsids(self, item_key: Item, gsids: list[str]) -> None:
        """What an index item holds after a write of this request."""
        self._items[_id(item_key)] = {"gsids": gsids} if gsids else None


@dataclass
class CompanyWrite:
    """One company's change: its record action and the index and counter changes that go
    in the same transaction."""

    gsid: str
    action: dict[str, Any]
    index_add: list[tuple[str, Any]] = field(default_factory=list)  # (field, value) entered
    index_remove: list[tuple[str, Any]] = field(default_factory=list)  # (field, value) left
    counter: int = 0
    words: list[dict[str, Any]] = field(default_factory=list)  # word item puts and deletes (``word_actions``)


IndexEntries = list[tuple[str, Any]]


def index_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[IndexEntries, IndexEntries]:
    """Index entries a company enters and leaves when it goes from ``before`` to ``after``."""
    add: IndexEntries = []
    remove: IndexEntries = []
    for name in INDEXED_FIELDS:
        old = (before or {}).get(name)
        new = (after or {}).get(name)
        if old is not None and new is not None and keys.normalized(old) == keys.normalized(new):
            continue
        if old is not None:
            remove.append((name, old))
        if new is not None:
            add.append((name, new))
    return add, remove


def word_actions(tenant_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The word item writes of a company going from ``before`` to ``after`` (None: absent)."""
    removes, puts = COMPANY.shape.word_changes(tenant_id, before, after)
    tbl = config.tenant_table()
    return [{"Delete": {"TableName": tbl, "Key": k}} for k in removes] + [
        {"Put": {"TableName": tbl, "Item": item}} for item in puts
    ]


def _indexed(tenant_id: str, record: dict[str, Any]) -> dict[str, Any]:
    """The record with its index keys, applied after its fields: no field overrides them."""
    gsid = record["Gsid"]
    return {
        **record,
        "GSI1PK": keys.object_index(tenant_id, OBJECT),
        "GSI1SK": keys.by_modified_date(record["ModifiedDate"], gsid),
        "GSI2PK": keys.object_index(tenant_id, OBJECT),
        "GSI2SK": keys.by_name(record.get("Name"), gsid),
    }


def put_record(tenant_id: str, record: dict[str, Any]) -> dict[str, Any]:
    """Create a company (its GSID is new, so it must not exist)."""
    return {
        "Put": {
            "TableName": config.tenant_table(),
            "Item": {**to_item(_indexed(tenant_id, record)), **record_key(tenant_id, record["Gsid"])},
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def update_record(tenant_id: str, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Change a company from ``before`` (as read) to ``after``: only the attributes that
    differ, conditioned on the record still being the one read (its ModifiedDate)."""
    target = _indexed(tenant_id, after)
    names: dict[str, str] = {"#md": "ModifiedDate"}
    values: dict[str, Any] = {":read": to_attr(before["ModifiedDate"])}
    sets, removes = [], []
    for i, name in enumerate(sorted(set(target) | set(before))):
        if name in ("PK", "SK") or (name in keys.STORAGE_ATTRIBUTES and name not in target):
            continue  # the keys, and what the storage keeps beside the fields (the sync owner)
        # The audit fields are always written: an update is never an empty expression.
        if before.get(name) == target.get(name) and name not in ("ModifiedDate", "ModifiedBy"):
            continue
        placeholder = "#md" if name == "ModifiedDate" else f"#a{i}"
        names[placeholder] = name
        if target.get(name) is None:
            removes.append(placeholder)
        else:
            values[f":v{i}"] = to_attr(target[name])
            sets.append(f"{placeholder} = :v{i}")
    expression = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
    return {
        "Update": {
            "TableName": config.tenant_table(),
            "Key": record_key(tenant_id, after["Gsid"]),
            "UpdateExpression": expression.strip(),
            "ConditionExpression": "attribute_exists(PK) AND #md = :read",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def delete_record(tenant_id: str, before: dict[str, Any]) -> dict[str, Any]:
    """Delete a company, conditioned on it still being the one read."""
    return {
        "Delete": {
            "TableName": config.tenant_table(),
            "Key": record_key(tenant_id, before["Gsid"]),
            "ConditionExpression": "attribute_exists(PK) AND #md = :read",
            "ExpressionAttributeNames": {"#md": "ModifiedDate"},
            "ExpressionAttributeValues": {":read": to_attr(before["ModifiedDate"])},
        }
    }


def _index_keys(tenant_id: str, write: CompanyWrite) -> list[Item]:
    return [index_key(tenant_id, f, v) for f, v in (*write.index_add, *write.index_remove)]


def _chunks(tenant_id: str, writes: list[CompanyWrite]) -> list[list[CompanyWrite]]:
    """Writes packed in order into transactions of at most 100 actions: one per record
    and per word item, one per distinct index item, one for the counter."""
    chunks: list[list[CompanyWrite]] = []
    current: list[CompanyWrite] = []
    items: set[str] = set()
    for write in writes:
        touched = items | {_id(k) for k in _index_keys(tenant_id, write)}
        counter = any(w.counter for w in [*current, write])
        own = sum(1 + len(w.words) for w in [*current, write])
        if current and own + len(touched) + int(counter) > TRANSACTION_LIMIT:
            chunks.append(current)
            current, touched = [], {_id(k) for k in _index_keys(tenant_id, write)}
        current.append(write)
        items = touched
    if current:
        chunks.append(current)
    return chunks


def _index_action(
    tenant_id: str, item_key: Item, adds: list[str], removes: set[str], snapshot: Snapshot
) -> tuple[dict[str, Any] | None, list[str] | None]:
    """The action changing one index item, and its list afterwards (None: not known)."""
    tbl = config.tenant_table()
    names = {"#g": "gsids"}
    current = snapshot.gsids(item_key) if snapshot.known(item_key) else None
    positions = [i for i, g in enumerate(current or []) if g in removes]
    if not positions:
        if not adds:
            return None, current
        action = {
            "Update": {
                "TableName": tbl,
                "Key": item_key,
                "UpdateExpression": "SET #g = list_append(if_not_exists(#g, :empty), :new)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {":empty": {"L": []}, ":new": to_attr(adds)},
            }
        }
        return action, None if current is None else current + adds
    assert current is not None
    kept = [g for g in current if g not in removes]
    after = kept + [g for g in adds if g not in kept]
    if not adds and kept:
        guards = " AND ".join(f"#g[{i}] = :r{n}" for n, i in enumerate(positions))
        update = {
            "UpdateExpression": "REMOVE " + ", ".join(f"#g[{i}]" for i in positions),
            "ConditionExpression": guards,
            "ExpressionAttributeValues": {f":r{n}": to_attr(current[i]) for n, i in enumerate(positions)},
        }
        return {"Update": {"TableName": tbl, "Key": item_key, "ExpressionAttributeNames": names, **update}}, after
    if not after:
        delete = {"ConditionExpression": "#g = :read", "ExpressionAttributeValues": {":read": to_attr(current)}}
        return {"Delete": {"TableName": tbl, "Key": item_key, "ExpressionAttributeNames": names, **delete}}, after
    update = {
        "UpdateExpression": "SET #g = :new",
        "ConditionExpression": "#g = :read",
        "ExpressionAttributeValues": {":new": to_attr(after), ":read": to_attr(current)},
    }
    return {"Update": {"TableName": tbl, "Key": item_key, "ExpressionAttributeNames": names, **update}}, after


def _transaction(
    tenant_id: str, chunk: list[CompanyWrite], snapshot: Snapshot
) -> tuple[list[dict[str, Any]], dict[str, tuple[Item, list[str] | None]]]:
    actions = [a for w in chunk for a in (w.action, *w.words)]
    adds: dict[str, list[str]] = {}
    removes: dict[str, set[str]] = {}
    item_keys: dict[str, Item] = {}
    for write in chunk:
        for name, value in write.index_add:
            item_key = index_key(tenant_id, name, value)
            item_keys[_id(item_key)] = item_key
            adds.setdefault(_id(item_key), []).append(write.gsid)
        for name, value in write.index_remove:
            item_key = index_key(tenant_id, name, value)
            item_keys[_id(item_key)] = item_key
            removes.setdefault(_id(item_key), set()).add(write.gsid)
    lists_after: dict[str, tuple[Item, list[str] | None]] = {}
    for ident, item_key in item_keys.items():
        action, after = _index_action(tenant_id, item_key, adds.get(ident, []), removes.get(ident, set()), snapshot)
        if action is not None:
            actions.append(action)
            lists_after[ident] = (item_key, after)
    total = sum(w.counter for w in chunk)
    if total:
        actions.append(
            {
                "Update": {
                    "TableName": config.tenant_table(),
                    "Key": counter_key(tenant_id),
                    "UpdateExpression": "ADD #total :n",
                    "ExpressionAttributeNames": {"#total": "total"},
                    "ExpressionAttributeValues": {":n": to_attr(total)},
                }
            }
        )
    return actions, lists_after


def write(tenant_id: str, writes: list[CompanyWrite], snapshot: Snapshot) -> int:
    """Write companies in as few transactions as fit, in order; returns how many of
    ``writes`` were written (a prefix): it stops at the first cancelled transaction.

    Index items a company leaves are read first (one BatchGetItem for all of them, unless
    the snapshot already holds them) to know the positions to remove.
    """
    snapshot.fetch(index_key(tenant_id, f, v) for w in writes for f, v in w.index_remove)
    done = 0
    for chunk in _chunks(tenant_id, writes):
        actions, lists_after = _transaction(tenant_id, chunk, snapshot)
        try:
            table.transact(actions)
        except table.TransactionCancelled:
            return done
        for item_key, after in lists_after.values():
            if after is not None:  # None: appended to an item never read, which stays unread
                snapshot.remember_gsids(item_key, after)
        done += len(chunk)
    return done
