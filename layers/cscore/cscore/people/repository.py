"""Person and CompanyPerson items as the API writes them: the record item, its unique
items and the object's counter, in conditional transactions (docs/data-model.md; the
bulk paths write the same items through ``objects.bulk``).

- record ``Shape.record_key(t, gsid)``: the fields, plus the GSI keys of
  ``Shape.secondary_keys`` (Person: by ModifiedDate and by name; CompanyPerson: by
  ModifiedDate, a company's persons, a person's companies);
- unique items ``keys.unique_value(t, Object, Field, value)`` = ``{"gsid"}`` (Person
  Email, CompanyPerson SfdcContactId): a value is claimed with ``attribute_not_exists``
  and released only while it still names the record, so two records never claim one
  value, whichever path wrote the other;
- word items (``Shape.word_changes``) when the shape has word fields, unconditionally
  (only the record's writer touches them);
- counter ``keys.counter(t, Object)``: ``total``, ``ADD`` in the same transaction.

A record write is conditioned on the record being the one read (absent for an insert,
its ModifiedDate for an update), so a concurrent change cancels the transaction instead
of being overwritten; the caller reads again and retries. Reads are strongly
consistent BatchGetItem through ``companies.repository.Snapshot`` (100 keys a call).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cscore.catalog import ObjectDef
from cscore.companies.repository import Snapshot
from cscore.platform import config, ids, keys, records, table
from cscore.platform.dynamo import Item, to_attr, to_item

TRANSACTION_LIMIT = 100

__all__ = [
    "RecordWrite",
    "Snapshot",
    "company_person_gsid",
    "insert",
    "persons_companies",
    "record_key",
    "unique_key",
    "update",
    "write",
]


def record_key(definition: ObjectDef, tenant_id: str, gsid: str) -> Item:
    return definition.shape.record_key(tenant_id, gsid)


def unique_key(definition: ObjectDef, tenant_id: str, field_name: str, value: object) -> Item:
    return keys.unique_value(tenant_id, definition.name, field_name, str(value))


def company_person_gsid(person: str, company: str) -> str:
    """The GSID of the Company Person record the API paths add for a person and a
    company: the same in every request (its time part the person's), so two requests
    cannot add it twice (the second put finds it)."""
    return ids.derived_gsid(ids.COMPANY_PERSON, ids.millis_of(person), (person, company))


def public(item: dict[str, Any]) -> dict[str, Any]:
    """A stored record as the API shows it: its fields, without key attributes."""
    return records.record_of(item)


def persons_companies(tenant_id: str, person_gsid: str) -> list[dict[str, Any]]:
    """The CompanyPerson records of one person (its GSI3 partition: as many items as the
    person has companies)."""
    return records.related(tenant_id, "CompanyPerson", "Person", person_gsid, "GSI3")


@dataclass
class RecordWrite:
    """One record's change: its record action and the unique items and words that change
    with it in the same transaction; ``counter`` is +1 for an insert."""

    object_name: str
    gsid: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    counter: int = 0


def _item(definition: ObjectDef, tenant_id: str, record: dict[str, Any]) -> Item:
    """The record's item: its fields, then its index keys and its key, which no field overrides."""
    return {
        **to_item(record),
        **to_item(definition.shape.secondary_keys(tenant_id, record)),
        **record_key(definition, tenant_id, record["Gsid"]),
    }


def leaving_keys(definition: ObjectDef, tenant_id: str, before: dict[str, Any], after: dict[str, Any]) -> list[Item]:
    """The unique items of the values a record leaves going from ``before`` to ``after``:
    to be read (``Snapshot.fetch``, batched by the caller) before ``update`` releases them."""
    old = definition.shape.unique_values(before)
    new = definition.shape.unique_values(after)
    return [
        unique_key(definition, tenant_id, name, value)
        for name, value in old.items()
        if new.get(name) is None or keys.normalized(new[name]) != keys.normalized(value)
    ]


def _unique_actions(
    definition: ObjectDef, tenant_id: str, before: dict[str, Any] | None, after: dict[str, Any], snapshot: Snapshot
) -> list[dict[str, Any]]:
    """Claim each unique value the record gets, release each it leaves (only when the
    item still names the record: guarded, as another writer may have taken it over)."""
    tbl = config.tenant_table()
    shape = definition.shape
    old = shape.unique_values(before or {})
    new = shape.unique_values(after)
    actions: list[dict[str, Any]] = []
    for name in shape.unique_fields:
        was, now = old.get(name), new.get(name)
        if was is not None and now is not None and keys.normalized(was) == keys.normalized(now):
            continue
        if was is not None:
            item_key = unique_key(definition, tenant_id, name, was)
            if (snapshot.get(item_key) or {}).get("gsid") == after["Gsid"]:
                actions.append(
                    {
                        "Delete": {
                            "TableName": tbl,
                            "Key": item_key,
                            "ConditionExpression": "gsid = :me",
                            "ExpressionAttributeValues": {":me": to_attr(after["Gsid"])},
                        }
                    }
                )
        if now is not None:
            actions.append(
                {
                    "Put": {
                        "TableName": tbl,
                        "Item": {**unique_key(definition, tenant_id, name, now), **to_item({"gsid": after["Gsid"]})},
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
            )
    return actions


def _word_actions(
    definition: ObjectDef, tenant_id: str, before: dict[str, Any] | None, after: dict[str, Any]
) -> list[dict[str, Any]]:
    removes, puts = definition.shape.word_changes(tenant_id, before, after)
    tbl = config.tenant_table()
    return [{"Delete": {"TableName": tbl, "Key": k}} for k in removes] + [
        {"Put": {"TableName": tbl, "Item": item}} for item in puts
    ]


def insert(definition: ObjectDef, tenant_id: str, record: dict[str, Any], snapshot: Snapshot) -> RecordWrite:
    """Create a record (its GSID is new or derived from its identity: it must not exist)."""
    put = {
        "Put": {
            "TableName": config.tenant_table(),
            "Item": _item(definition, tenant_id, record),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }
    others = _unique_actions(definition, tenant_id, None, record, snapshot)
    return RecordWrite(
        definition.name, record["Gsid"], [put, *others, *_word_actions(definition, tenant_id, None, record)], counter=1
    )


def update(
    definition: ObjectDef, tenant_id: str, before: dict[str, Any], after: dict[str, Any], snapshot: Snapshot
) -> RecordWrite:
    """Change a record from ``before`` (as read) to ``after``: only the attributes that
    differ, conditioned on the record still being the one read (its ModifiedDate)."""
    target = {**after, **definition.shape.secondary_keys(tenant_id, after)}
    names: dict[str, str] = {"#md": "ModifiedDate"}
    values: dict[str, Any] = {":read": to_attr(before["ModifiedDate"])}
    sets, removes = [], []
    for i, name in enumerate(sorted(set(target) | set(before))):
        if name in ("PK", "SK") or name == keys.SYNC_OWNER:
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
    action = {
        "Update": {
            "TableName": config.tenant_table(),
            "Key": record_key(definition, tenant_id, after["Gsid"]),
            "UpdateExpression": expression.strip(),
            "ConditionExpression": "attribute_exists(PK) AND #md = :read",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }
    others = _unique_actions(definition, tenant_id, before, after, snapshot)
    return RecordWrite(
        definition.name, after["Gsid"], [action, *others, *_word_actions(definition, tenant_id, before, after)]
    )


def _counter(tenant_id: str, object_name: str, total: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": config.tenant_table(),
            "Key": keys.counter(tenant_id, object_name),
            "UpdateExpression": "ADD #total :n",
            "ExpressionAttributeNames": {"#total": "total"},
            "ExpressionAttributeValues": {":n": to_attr(total)},
        }
    }


def _counted(writes: list[RecordWrite]) -> set[str]:
    return {w.object_name for w in writes if w.counter}


def chunks(writes: list[RecordWrite], limit: int = TRANSACTION_LIMIT) -> list[list[RecordWrite]]:
    """Writes packed in order into transactions of at most ``limit`` actions (and a
    counter update per object they insert records of)."""
    packed: list[list[RecordWrite]] = []
    current: list[RecordWrite] = []
    for one in writes:
        candidate = [*current, one]
        size = sum(len(w.actions) for w in candidate) + len(_counted(candidate))
        if current and size > limit:
            packed.append(current)
            current = [one]
        else:
            current = candidate
    if current:
        packed.append(current)
    return packed


def transact(tenant_id: str, chunk: list[RecordWrite]) -> bool:
    """One transaction: the writes of ``chunk`` and their counter changes; False when
    a condition failed (nothing was written)."""
    actions = [a for w in chunk for a in w.actions]
    for object_name in sorted(_counted(chunk)):
        actions.append(_counter(tenant_id, object_name, sum(w.counter for w in chunk if w.object_name == object_name)))
    try:
        table.transact(actions)
    except table.TransactionCancelled:
        return False
    return True


def write(tenant_id: str, writes: list[RecordWrite]) -> int:
    """Write records in as few transactions as fit, in order; returns how many of
    ``writes`` were written (a prefix): it stops at the first cancelled transaction."""
    done = 0
    for chunk in chunks(writes):
        if not transact(tenant_id, chunk):
            return done
        done += len(chunk)
    return done
