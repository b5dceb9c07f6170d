"""How the items of each object look in the tenant table (docs/data-model.md): how a
record item is keyed, which fields have a uniqueness item, which have lookup index
items, and the secondary index keys of a record item. Pure Python, no I/O.

Every writer of an object must produce these shapes, so that every reader finds what
any writer wrote. ``users/repository`` and ``companies/repository`` write User and
Company through transactions; ``objects.bulk`` writes any object from a ``Shape``. Each
object's shape is declared with its fields in ``catalog.objects``.

- record ``Shape.record_key(t, ref)``: its fields plus, for every object, GSI1
  ``keys.object_index(t, Object)`` / ``keys.by_modified_date``; GSI2 (and GSI3) as below.
  ``ref`` (``Shape.record_ref``) is the record's GSID (``keys.record(t, Object, gsid)``),
  or, for an object with a ``record_key_field``, that field's value, normalized
  (``keys.record(t, Object, lower(value))``): such a record is found by its natural key
  with no uniqueness item, and still has a random, time-ordered ``Gsid`` attribute;
- unique item ``keys.unique_value(t, Object, Field, value)``: ``{"gsid"}``, plus ``"ref"``
  (the record's ref) for an object with a ``record_key_field``;
- index item ``keys.lookup_index(t, Object, Field, value)``: ``{"gsids", "v"}``, plus
  ``"refs"`` ({gsid: ref}) for an object with a ``record_key_field``;
- word items ``keys.word(t, Object, Field, text, gsid)``: ``{"gsid", "nameKey"}``, one per
  word of a ``word_fields`` value after the first (``word_starts``), so team search finds a
  record by a prefix of any word of its name; ``nameKey`` is the record's GSI2 sort key
  (``keys.by_name``), so matches are put in name order without reading their records.

| object | record key | unique | index | words | GSI2 | GSI3 |
| --- | --- | --- | --- | --- | --- | --- |
| User | Gsid | SFDCUserName, SfdcUserId | Email, FullName | Name | object index by Name | |
| Company | Gsid | | Name, SfdcAccountId | Name | object index by Name | |
| Person | Gsid | Email | | | object index by "FirstName LastName" | |
| CompanyPerson | Gsid | SfdcContactId | | | a company's persons, by GSID | a person's companies, by GSID |
| CompanyTeam | CompanyUser | SfdcAccountTeamMemberId | (Company)Manager<k> | | a company's team | a user's companies |

(CompanyTeam: GSI2 by UserId, GSI3 by CompanyId; k = 1..3.) Derived values: User
``FullName`` is "FirstName LastName" (both needed); CompanyTeam ``CompanyUser`` is
"CompanyId#UserId" (one record per company and user: the key of its record item, so a
CompanyTeam record is one item when it has no SfdcAccountTeamMemberId and no managers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cscore.platform import keys
from cscore.platform.dynamo import Item, to_item

Record = Mapping[str, Any]
# (tenant id, record) -> (partition key, sort key) of a secondary index, None to leave
# the record out of that index.
IndexKey = Callable[[str, Record], tuple[str, str] | None]


# Word items per value: a name's first words find it; a longer name's later words do not
# (its name prefix still does), so a record costs at most this many extra items.
MAX_WORDS = 8


def word_starts(value: str) -> list[str]:
    """The lower-cased value from the start of each word after the first, to its end (at
    most ``MAX_WORDS``): "Acme Corp, Inc." -> ["corp, inc.", "inc."]. A word starts at a
    letter or digit (``str.isalnum``, any script) that follows anything else, so spaces and
    punctuation separate words ("O'Brien-Smith" -> "brien-smith", "smith"). A name written
    without separators (Japanese, Chinese) is one word, found by its name prefix. Keeping
    the rest of the value, not the word alone, lets a search text of several words
    ("corp in") match from any word on."""
    lowered = value.lower()
    starts = [i for i in range(1, len(lowered)) if lowered[i].isalnum() and not lowered[i - 1].isalnum()]
    return [lowered[i:] for i in starts[:MAX_WORDS]]


def _present(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


def full_name(record: Record) -> str | None:
    """User FullName as ``users.repository.index_entries`` lists it: both names needed."""
    first, last = record.get("FirstName"), record.get("LastName")
    return f"{first} {last}" if first and last else None


def company_user(record: Record) -> str | None:
    company, user = record.get("CompanyId"), record.get("UserId")
    return f"{company}#{user}" if _present(company) and _present(user) else None


def person_name(record: Record) -> str:
    return f"{record.get('FirstName') or ''} {record.get('LastName') or ''}".strip()


def by_name(obj: str, name: Callable[[Record], object]) -> IndexKey:
    def index_key(tenant_id: str, record: Record) -> tuple[str, str]:
        return keys.object_index(tenant_id, obj), keys.by_name(name(record), record["Gsid"])

    return index_key


def related(obj: str, via: str, ref_field: str, sort_field: str) -> IndexKey:
    """Records of ``obj`` listed under the record their ``ref_field`` names."""

    def index_key(tenant_id: str, record: Record) -> tuple[str, str] | None:
        ref, sort = record.get(ref_field), record.get(sort_field)
        if not _present(ref) or not _present(sort):
            return None  # a key attribute may not be empty: the record stays out of the index
        return keys.related(tenant_id, obj, via, str(ref)), str(sort)

    return index_key


@dataclass(frozen=True)
class Shape:
    """The items of one object: record, unique items, index items, secondary keys."""

    name: str
    gsid_prefix: str
    # The (derived) field whose value keys the record item instead of its GSID: set for an
    # object with one record per value of it (CompanyTeam: CompanyUser). The value must
    # never change on an existing record (changing it is a delete and an insert).
    record_key_field: str | None = None
    unique_fields: tuple[str, ...] = ()  # fields with a unique item {"gsid"}
    index_fields: tuple[str, ...] = ()  # fields with lookup index items {"gsids", "v"}
    word_fields: tuple[str, ...] = ()  # fields with word items (``word_starts``): team search
    derived: Mapping[str, Callable[[Record], str | None]] = field(default_factory=dict)
    gsi2: IndexKey | None = None
    gsi3: IndexKey | None = None

    def _value(self, name: str, record: Record) -> str | None:
        value = self.derived[name](record) if name in self.derived else record.get(name)
        return str(value) if _present(value) else None

    def record_ref(self, record: Record) -> str | None:
        """What the record's item is keyed by: its ``record_key_field`` value (None when the
        record lacks it), else its GSID."""
        if self.record_key_field is None:
            gsid = record.get("Gsid")
            return str(gsid) if _present(gsid) else None
        return self._value(self.record_key_field, record)

    def record_key(self, tenant_id: str, ref: str) -> Item:
        """The key of the record item whose ref (``record_ref``) is ``ref``; a natural key
        is normalized (``keys.normalized``) as unique and index values are."""
        if self.record_key_field is None:
            return keys.record(tenant_id, self.name, ref)
        return keys.record(tenant_id, self.name, keys.normalized(ref))

    def unique_values(self, record: Record) -> dict[str, str]:
        """Field -> raw value of every unique field the record has (present, non-empty)."""
        found = {name: self._value(name, record) for name in self.unique_fields}
        return {name: value for name, value in found.items() if value is not None}

    def index_values(self, record: Record) -> dict[str, str]:
        """Field -> value of every index field the record has (present, non-empty); the
        key normalizes it (``keys.lookup_index``)."""
        found = {name: self._value(name, record) for name in self.index_fields}
        return {name: value for name, value in found.items() if value is not None}

    def word_changes(self, tenant_id: str, old: Record | None, new: Record | None) -> tuple[list[Item], list[Item]]:
        """The word items a record leaves and enters going from ``old`` to ``new`` (None:
        no record): (keys to delete, whole items to put). Nothing when a word field keeps
        its value but for case; every word item of a changed value is put again, as its
        ``nameKey`` changed. Only the record's own writer writes them (keys hold its GSID)."""
        record = new if new is not None else old
        if record is None:
            return [], []
        gsid = str(record["Gsid"])
        removes: list[Item] = []
        puts: list[Item] = []
        for name in self.word_fields:
            was = self._value(name, old) if old is not None else None
            now = self._value(name, new) if new is not None else None
            if (was or "").lower() == (now or "").lower():
                continue
            kept = word_starts(now) if now is not None else []
            gone = [text for text in (word_starts(was) if was is not None else []) if text not in kept]
            removes += [keys.word(tenant_id, self.name, name, text, gsid) for text in gone]
            if now is not None:
                attributes = to_item({"gsid": gsid, "nameKey": keys.by_name(now, gsid)})
                puts += [{**attributes, **keys.word(tenant_id, self.name, name, text, gsid)} for text in kept]
        return removes, puts

    def secondary_keys(self, tenant_id: str, record: Record) -> dict[str, str]:
        """The GSI key attributes of the record's item (GSI1 always; GSI2 and GSI3 when the
        object has them and the record has their values)."""
        gsid = record["Gsid"]
        attributes = {
            "GSI1PK": keys.object_index(tenant_id, self.name),
            "GSI1SK": keys.by_modified_date(record["ModifiedDate"], gsid),
        }
        for index, key_of in (("GSI2", self.gsi2), ("GSI3", self.gsi3)):
            found = key_of(tenant_id, record) if key_of else None
            if found is not None:
                attributes[f"{index}PK"], attributes[f"{index}SK"] = found
        return attributes


def _manager(level: int) -> Callable[[Record], str | None]:
    def value(record: Record) -> str | None:
        manager = record.get(f"UserManagerRole{level}")
        return str(manager) if manager else None

    return value


def _company_manager(level: int) -> Callable[[Record], str | None]:
    def value(record: Record) -> str | None:
        manager = record.get(f"UserManagerRole{level}")
        return f"{record['CompanyId']}#{manager}" if manager and record.get("CompanyId") else None

    return value


# Company data permissions (SPEC §4.3) ask "is U a manager (level 1-3) of a member of C's
# team?" in one read whatever the team's size (CompanyManager<k> = "<company>#<manager>"),
# and "which companies does U see as a manager?" in proportion to the answer (Manager<k>).
MANAGER_INDEXES = {f"CompanyManager{k}": _company_manager(k) for k in (1, 2, 3)} | {
    f"Manager{k}": _manager(k) for k in (1, 2, 3)
}
