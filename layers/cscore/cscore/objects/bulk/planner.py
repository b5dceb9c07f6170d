"""The change planner of a bulk store (``objects.bulk``): from records to insert, update
or delete, the items to write — the record item with its secondary keys, its unique
items (put the new value, delete the old one if it still names the record), its index
items (the whole item rewritten with the GSID added or removed and ``v`` bumped,
deleted when its list is empty), its word items (``Shape.word_changes``: put and
deleted like unique items, as only the record's writer touches them) — and the
counter's change, handed to the writer. It
keeps the store's view (the reader's) as written, so an item touched by several records
of a store, or a record changed twice, stays right; an update that changes nothing is
skipped. Only declared fields are written (``objects.writable.stored_fields``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cscore.catalog import OBJECTS
from cscore.objects import writable
from cscore.objects.bulk.calls import ident
from cscore.objects.bulk.reader import Reader
from cscore.objects.bulk.writer import Writer
from cscore.platform import clock, ids, keys
from cscore.platform.dynamo import Item, to_item
from cscore.platform.records import record_of

Change = tuple[Mapping[str, Any] | None, Mapping[str, Any]]  # (record as read or None to insert, fields to set)
# The GSID an inserted record gets, from its fields (None: a new random one).
GsidOf = Callable[[Mapping[str, Any]], str | None]


def _same(stored: Any, given: Any) -> bool:
    """Equal as stored values: 5 == 5.0, but True is not 1."""
    if isinstance(stored, bool) or isinstance(given, bool):
        return type(stored) is type(given) and stored == given
    return bool(stored == given)


class Planner:
    """Changes of one object's records, planned into item writes."""

    def __init__(self, reader: Reader, writer: Writer, actor_gsid: str, owner: str | None, count_inserts: bool) -> None:
        self.reader = reader
        self.writer = writer
        self.actor_gsid = actor_gsid
        # The sync job writing through this store: records it inserts remember it
        # (keys.SYNC_OWNER, kept by later updates), so its deletes touch only those.
        self.owner = owner
        # False: inserts are left off the counter's change (``uncounted_inserts``) for the
        # caller to count with its own progress (a sync run's checkpoint).
        self.count_inserts = count_inserts
        self.uncounted_inserts = 0
        # Set by the store (Gsid and the audit fields), never by a caller's fields.
        self.system_fields = frozenset(OBJECTS[reader.shape.name].platform_fields)

    def refusal(self, fields: Mapping[str, Any]) -> str | None:
        """Why the store will not write these fields (None when it will): a name that is
        not a field of the object (``objects.writable.stored_fields``, or a custom ``__gc``
        name), such as a key or any other storage attribute. The system fields are the
        store's own and set by it."""
        declared = writable.stored_fields(self.reader.shape.name)
        for name in fields:
            if name not in declared and not writable.is_custom_name(name):
                return writable.not_a_field(self.reader.shape.name, name)
        return None

    def upsert(self, changes: Sequence[Change], gsid_of: GsidOf | None = None) -> list[dict[str, Any]]:
        """Insert (``before`` None) or update records; returns the records written, as
        stored. A field set to None is removed; the system fields are the store's: an
        insert gets the GSID ``gsid_of`` gives for its fields (a resumable writer's,
        ``ids.derived_gsid``) or a new one, CreatedDate/ModifiedDate now and CreatedBy/ModifiedBy the
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
            refusal = self.refusal({k: v for k, v in given.items() if k not in self.system_fields})
            if refusal:
                raise ValueError(f"{self.reader.shape.name}: {refusal}")
        now = clock.iso()
        if self.reader.by_field:
            self.reader.fetch(self.reader.key_of(given) for before, given in changes if before is None)
        planned: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
        for before, given in changes:
            fields = {k: v for k, v in given.items() if k not in self.system_fields}
            if before is None and self.reader.by_field:
                before = self.reader.items.get(ident(self.reader.key_of(fields)))  # there already: an update
            if before is None:
                gsid = (gsid_of(fields) if gsid_of else None) or ids.new_gsid(self.reader.shape.gsid_prefix)
                audit = {"CreatedDate": now, "CreatedBy": self.actor_gsid}
                after = {"Gsid": gsid, **{k: v for k, v in fields.items() if v is not None}, **audit}
                after |= {"ModifiedDate": now, "ModifiedBy": self.actor_gsid}
                if self.owner:
                    after[keys.SYNC_OWNER] = self.owner
                planned.append((None, after))
                self.reader.items[ident(self.reader.key_of(after))] = after
                self.reader.learn(after)
                continue
            record_key = self.reader.key_of(before)
            key = ident(record_key)
            stored = self.reader.items[key] if key in self.reader.items else dict(before)
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
            if self.reader.by_field and self.reader.key_of(after) != record_key:
                raise ValueError(
                    f"{self.reader.shape.name}: {self.reader.shape.record_key_field} of a record cannot change "
                    "(delete the record and insert a new one)"
                )
            after |= {"ModifiedDate": now, "ModifiedBy": self.actor_gsid}
            planned.append((current, after))
            self.reader.items[key] = after
        self.reader.fetch(k for old, new in planned for k, _, _ in self._entry_changes(old, new))
        for old, new in planned:
            self._apply_entries(old, new)
            self._apply_words(old, new)
            record_key = self.reader.key_of(new)
            secondary = self.reader.shape.secondary_keys(self.reader.tenant_id, new)
            item = {**to_item(new), **to_item(secondary), **record_key}
            self._buffer(record_key, new, {"PutRequest": {"Item": item}}, record=True)
            if old is None and self.count_inserts:
                self.writer.count(record_key, 1)
            elif old is None:
                self.uncounted_inserts += 1
        return [record_of(new) for _, new in planned]

    def owner_of(self, record: Mapping[str, Any]) -> str | None:
        """The sync job that created a record this store has read or written
        (``keys.SYNC_OWNER``); None for a record entered otherwise or before owners."""
        item = self.reader.items.get(ident(self.reader.key_of(record)))
        return str(item[keys.SYNC_OWNER]) if item and item.get(keys.SYNC_OWNER) else None

    def delete(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Delete records (as read): the record, its unique items (those still naming it),
        its index entries, one off the counter. A record this store already deleted, or
        one given twice, is deleted once."""
        planned: list[dict[str, Any]] = []
        for given in records:
            key = ident(self.reader.key_of(given))
            if key in self.reader.items:
                known = self.reader.items[key]
                if known is None:
                    continue
                current = record_of(known)
            else:
                current = record_of(dict(given))
            planned.append(current)
            self.reader.items[key] = None
        self.reader.fetch(k for old in planned for k, _, _ in self._entry_changes(old, None))
        for old in planned:
            self._apply_entries(old, None)
            self._apply_words(old, None)
            record_key = self.reader.key_of(old)
            self._buffer(record_key, None, {"DeleteRequest": {"Key": record_key}}, record=True)
            self.writer.count(record_key, -1)

    def _entry_changes(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[tuple[Item, bool, bool]]:
        """(item key, is a unique item, add) for each unique and index entry the record
        leaves or enters (removals first); an entry whose normalized value stays is kept."""
        changes: list[tuple[Item, bool, bool]] = []
        adds: list[tuple[Item, bool, bool]] = []
        shape = self.reader.shape
        for unique, values_of, make in (
            (True, shape.unique_values, self.reader.unique_key),
            (False, shape.index_values, self.reader.index_key),
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
        ref = self.reader.shape.record_ref(record) if self.reader.by_field else None
        for item_key, unique, add in self._entry_changes(old, new):
            current = self.reader.items.get(ident(item_key))
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
            attributes = {"gsids": gsids, "v": version} | ({"refs": refs} if self.reader.by_field else {})
            # Sent as a change of the item as read (entries added and removed), applied to
            # whatever the item holds when it is written (``writer``): other writers' entries stay.
            self.writer.buffer_index(item_key, current, attributes if gsids else None, self.reader.by_field)
            self.reader.items[ident(item_key)] = attributes if gsids else None

    def _apply_words(self, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        """Buffer the word item writes of a record going from ``old`` to ``new`` (the
        store's view of it): no read needed, the record says which words it had."""
        removes, puts = self.reader.shape.word_changes(self.reader.tenant_id, old, new)
        for item_key in removes:
            self.writer.buffer(item_key, {"DeleteRequest": {"Key": item_key}}, record=False)
        for item in puts:
            self.writer.buffer(item, {"PutRequest": {"Item": item}}, record=False)

    def _put_aux(self, item_key: Item, attributes: dict[str, Any] | None) -> None:
        if attributes is None:
            self._buffer(item_key, None, {"DeleteRequest": {"Key": item_key}}, record=False)
        else:
            self._buffer(item_key, attributes, {"PutRequest": {"Item": {**to_item(attributes), **item_key}}}, False)

    def _buffer(self, item_key: Item, view: dict[str, Any] | None, request: dict[str, Any], record: bool) -> None:
        self.reader.items[ident(item_key)] = view
        self.writer.buffer(item_key, request, record)
