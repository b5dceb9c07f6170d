"""From Salesforce rows to platform records, for one page at a time: mappings applied,
derived lookups resolved in batches, keys matched, unchanged records left alone.

One ``PageWriter`` per run slice holds a ``BulkStore`` per object it touches, so every
lookup and key match of a page is one batched read per object and field, and every
write goes out in ``BatchWriteItem`` calls when the page is flushed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cscore.catalog import SHAPES
from cscore.connector import job_definitions as jd
from cscore.connector import mappings as mapping_rules
from cscore.objects import writable
from cscore.objects.bulk import BulkStore
from cscore.picklists import service as picklists
from cscore.picklists.system import system_item_gsid
from cscore.platform import ids, keys, table, text
from cscore.users import managers
from cscore.users.schema import DEFAULT_BUNDLE

REJECTED, ERROR = "REJECTED", "ERROR"
MAX_TEXT = 255
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The field of each target object that holds the Salesforce record's Id (deletes and
# reconciliation find records by it, whatever the job's key is).
SOURCE_ID_FIELD = {
    "User": "SfdcUserId",
    "Company": "SfdcAccountId",
    "CompanyPerson": "SfdcContactId",
    "CompanyTeam": "SfdcAccountTeamMemberId",
}


@dataclass
class Outcome:
    """A row that was not written as it stands (REJECTED: retried by later runs)."""

    source_id: str
    outcome: str
    reason: str
    row: dict[str, Any]
    retry: bool = False


@dataclass
class Deferred:
    """A reference to a record of the same object (ParentId, ManagerId) not found yet:
    the row is written without it and the reference is resolved after the page / run."""

    source_id: str
    target: str
    obj: str
    by: str
    value: str
    # The lookup's match options (``connector.mappings``); the defaults for a reference
    # deferred before they existed (kept with a run) are what the sync did then.
    multi_match: str = mapping_rules.MARKASERROR
    on_no_match: str = mapping_rules.REJECT


@dataclass
class PageResult:
    outcomes: list[Outcome] = field(default_factory=list)
    deferred: list[Deferred] = field(default_factory=list)
    inserted: int = 0
    updated: int = 0
    deleted: int = 0


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "attributes"}


def _split(target: str, default_object: str) -> tuple[str, str]:
    """``Person.Email`` -> (Person, Email); ``Name`` -> (the job's target, Name)."""
    if "." in target:
        obj, name = target.split(".", 1)
        return obj, name
    return default_object, target


class PageWriter:
    def __init__(
        self,
        tenant_id: str,
        job: dict[str, Any],
        connection: dict[str, Any],
        actor: str,
        run: tuple[datetime, str] | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        # In a run (its start, and where the step starts): a record the step inserts gets
        # the GSID of its key there (``ids.derived_gsid``), so an invocation that dies after
        # writing some of the record's items and the one doing the step again insert the
        # same record, never a second one. Its count goes with the checkpoint (``inserted``).
        self.run = run
        self.resumed: Counter[str] = Counter()  # inserts of a step done again, found written
        self.job = job
        self.connection = connection
        self.actor = actor
        self.stores: dict[str, BulkStore] = {}
        self.resolution = connection.get("companyResolution") or jd.DEFAULT_COMPANY_RESOLUTION
        self.target = job["targetObject"]
        self._tenant: dict[str, Any] | None = None
        self._team_roles: dict[str, str] | None = None
        self._mappings: list[dict[str, Any]] | None = None
        self._refusal: str | None = None
        self._fields: dict[str, writable.WritableFields] = {}
        # Users whose Manager this writer changed, Company Team records it wrote (their
        # refs, "<CompanyId>#<UserId>"): their UserManagerRole1..3 are brought up to date
        # after the flush (users.managers).
        self.managers_changed: set[str] = set()
        self.team_records: set[str] = set()

    def store(self, obj: str) -> BulkStore:
        if obj not in self.stores:
            store = BulkStore(
                self.tenant_id, SHAPES[obj], self.actor, owner=self.job["jobId"], count_inserts=self.run is None
            )
            self.stores[obj] = store
        return self.stores[obj]

    @property
    def inserted(self) -> Counter[str]:
        """Records this writer inserted, by object, in a run: counted by the run's
        checkpoint (``sync.runs``), not by the flush."""
        found = Counter({obj: store.uncounted_inserts for obj, store in self.stores.items()})
        return found + self.resumed

    def flush(self) -> None:
        for store in self.stores.values():
            store.flush()
        managers.refresh_for_users(self.tenant_id, self.managers_changed, self.actor, self.team_records)
        self.managers_changed, self.team_records = set(), set()

    def calls(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for store in self.stores.values():
            for name, n in store.calls.items():
                total[name] = total.get(name, 0) + n
        return total

    def tenant_item(self) -> dict[str, Any]:
        if self._tenant is None:
            self._tenant = table.read_one(keys.tenant(self.tenant_id)) or {}
        return self._tenant

    @property
    def mappings(self) -> list[dict[str, Any]]:
        """The job's mappings, checked again as when it was saved (``connector.mappings``):
        a job stored before a check existed writes nothing the check refuses (``_refusal``:
        every row is an error)."""
        if self._mappings is None:
            try:
                self._mappings = mapping_rules.check(self.job["mappings"], self.target, self.tenant_item())
            except mapping_rules.MappingError as exc:
                self._mappings, self._refusal = [], str(exc)
        return self._mappings

    def _custom_value(self, obj: str, name: str, value: Any) -> Any:
        """A custom field's value as its definition stores it (``objects.writable``: Refused
        with the field's code when its type cannot take it); other fields' as given."""
        if value is None or not writable.is_custom_name(name):
            return value
        if obj not in self._fields:
            self._fields[obj] = writable.for_object(obj, self.tenant_item())
        return self._fields[obj].value(name, value)

    # ------------------------------------------------------------------ lookups
    def lookup_field(self, lookup: dict[str, Any]) -> str:
        by = str(lookup["by"])
        return self.resolution["targetField"] if by == jd.COMPANY_RESOLUTION else by

    def _resolve_lookups(self, rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, list[str]]]:
        """GSIDs for every looked-up value of the page: one batched read per (object, field)."""
        wanted: dict[tuple[str, str], set[str]] = {}
        for mapping in self.mappings:
            lookup = mapping.get("lookup")
            if not lookup or lookup["object"] == "TeamRole":
                continue
            values = {str(r[mapping["source"]]) for r in rows if r.get(mapping["source"]) not in (None, "")}
            wanted.setdefault((lookup["object"], self.lookup_field(lookup)), set()).update(values)
        return {
            (obj, by): self.store(obj).find(by, sorted(values)) if values else {}
            for (obj, by), values in wanted.items()
        }

    def _team_role(self, label: str) -> str:
        """The TeamRole item for a Salesforce role label; unknown roles are created."""
        if self._team_roles is None:
            items = ((self.tenant_item().get("picklists") or {}).get("TeamRole")) or {}
            self._team_roles = {str(v.get("label", "")).lower(): g for g, v in items.items()}
        found = self._team_roles.get(label.strip().lower())
        if found is None:
            added = picklists.add_items(self.tenant_id, "TeamRole", [label])
            self._team_roles.update(added)
            found = added[label.strip().lower()]
        return found

    # ------------------------------------------------------------------ mapping
    def _map(
        self, row: dict[str, Any], found: dict[tuple[str, str], dict[str, list[str]]], result: PageResult
    ) -> dict[str, dict[str, Any]] | None:
        """The values per target object of one row; None when the row is not written."""
        values: dict[str, dict[str, Any]] = {}
        source_id = str(row["Id"])
        for mapping in self.mappings:
            obj, name = _split(mapping["target"], self.target)
            out = values.setdefault(obj, {})
            if "value" in mapping:
                out[name] = mapping["value"]
                continue
            raw = row.get(mapping["source"])
            lookup = mapping.get("lookup")
            if not lookup:
                try:
                    out[name] = self._custom_value(obj, name, _value(raw))
                except writable.Refused as exc:
                    result.outcomes.append(Outcome(source_id, ERROR, f"{obj}.{exc.reason}", _clean(row)))
                    return None
                continue
            if raw in (None, ""):
                out[name] = None
                continue
            if lookup["object"] == "TeamRole":
                out[name] = self._team_role(str(raw))
                continue
            by = self.lookup_field(lookup)
            gsids = found.get((lookup["object"], by), {}).get(keys.normalized(raw), [])
            multi_match, on_no_match = lookup["multiMatchOption"], lookup["onNoMatch"]  # filled by the check
            if len(gsids) > 1 and multi_match == mapping_rules.MARKASERROR:
                reason = f"{mapping['source']} {raw}: {len(gsids)} {lookup['object']} records have {by} = {raw}"
                result.outcomes.append(Outcome(source_id, ERROR, reason, _clean(row)))
                return None
            if gsids:
                out[name] = min(gsids)  # the oldest (GSIDs are time-ordered)
            elif lookup["object"] == obj and obj == self.target:
                result.deferred.append(Deferred(source_id, name, obj, by, str(raw), multi_match, on_no_match))
                out.pop(name, None)  # written without it for now; resolved after the page
            elif on_no_match == mapping_rules.REJECT:
                reason = f"{mapping['source']} {raw}: no {lookup['object']} with {by} = {raw} (yet); retried next run"
                result.outcomes.append(Outcome(source_id, REJECTED, reason, _clean(row), retry=True))
                return None
            else:
                out[name] = None
        source_field = SOURCE_ID_FIELD.get(self.target)
        if source_field:
            values.setdefault(self.target, {})[source_field] = source_id
        invalid = _invalid(values)
        if invalid:
            result.outcomes.append(Outcome(source_id, *invalid, _clean(row)))
            return None
        return values

    # ------------------------------------------------------------------ writing
    def write(self, rows: list[dict[str, Any]]) -> PageResult:
        result = PageResult()
        if not self.mappings and self._refusal:
            result.outcomes = [Outcome(str(row["Id"]), ERROR, self._refusal, _clean(row)) for row in rows]
            return result
        found = self._resolve_lookups(rows)
        mapped: list[tuple[dict[str, Any], dict[str, dict[str, Any]]]] = []
        for row in rows:
            values = self._map(row, found, result)
            if values is not None:
                mapped.append((row, values))
        if self.target == "CompanyPerson":
            mapped = self._write_persons(mapped, result)
        self._upsert(self.target, [(row, values[self.target]) for row, values in mapped], result)
        self._resolve_deferred(result)
        return result

    def _write_persons(
        self, mapped: list[tuple[dict[str, Any], dict[str, dict[str, Any]]]], result: PageResult
    ) -> list[tuple[dict[str, Any], dict[str, dict[str, Any]]]]:
        """Company Person Sync: the Person by Email first, then its Company Person; returns
        the rows whose Person was written (the others are in the outcomes)."""
        persons = [(row, values["Person"]) for row, values in mapped]
        written = self._upsert("Person", persons, result, count=False)
        kept = [(row, values) for row, values in mapped if str(row["Id"]) in written]
        for row, values in kept:
            values["CompanyPerson"]["PersonId"] = written[str(row["Id"])]
        return kept

    def _key(self, obj: str, values: dict[str, Any]) -> tuple[str, str] | None:
        """(field, value) that identifies the target record of a row."""
        if obj == "Person":
            return ("Email", values["Email"]) if values.get("Email") else None
        if obj == "CompanyPerson":
            return "SfdcContactId", values["SfdcContactId"]
        shape = SHAPES[obj]
        if shape.record_key_field:  # CompanyTeam: the record's own key, CompanyUser
            ref = shape.record_ref(values)
            return (shape.record_key_field, ref) if ref else None
        key_fields = [f.split(".", 1)[-1] for f in self.job.get("keyFields") or []]
        name = key_fields[0] if key_fields else SOURCE_ID_FIELD[obj]
        return (name, values[name]) if values.get(name) not in (None, "") else None

    def _upsert(
        self,
        obj: str,
        rows: list[tuple[dict[str, Any], dict[str, Any]]],
        result: PageResult,
        count: bool = True,
    ) -> dict[str, str]:
        """Insert or update one record per row (by its key); returns source id -> GSID."""
        store = self.store(obj)
        keyed = [(row, values, self._key(obj, values)) for row, values in rows]
        by_field: dict[str, list[str]] = {}
        for _, _, key in keyed:
            if key:
                by_field.setdefault(key[0], []).append(str(key[1]))
        matches = {name: store.find(name, values) for name, values in by_field.items()}
        existing_ids = {g for name in matches for gsids in matches[name].values() for g in gsids}
        existing = store.records(existing_ids)
        inserts: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
        updates: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
        order: list[tuple[str, dict[str, Any] | None, str]] = []  # (source id, before, key value)
        claimed: dict[str, int] = {}
        resumed: set[str] = set()
        for row, values, key in keyed:
            source_id = str(row["Id"])
            if key is None:
                result.outcomes.append(Outcome(source_id, REJECTED, f"{obj}: no key value", _clean(row)))
                continue
            gsids = matches[key[0]].get(keys.normalized(key[1]), [])
            if len(gsids) > 1:
                reason = f"{obj}: {len(gsids)} records have {key[0]} = {key[1]}"
                result.outcomes.append(Outcome(source_id, ERROR, reason, _clean(row)))
                continue
            before = existing.get(gsids[0]) if gsids else None
            refusal = store.refusal(values) or (writable.set_once(obj, before, values) if before else None)
            if refusal:
                result.outcomes.append(Outcome(source_id, ERROR, f"{obj}.{refusal}", _clean(row)))
                continue
            normalized = f"{key[0]}\x00{keys.normalized(key[1])}"
            if not gsids and normalized in claimed:  # two rows of the page insert the same key
                order.append((source_id, None, normalized))
                continue
            if before is None:
                claimed[normalized] = len(inserts)
                inserts.append((None, _complete(obj, values)))
            else:
                if before["Gsid"] == self._gsid_of(obj, values):
                    resumed.add(before["Gsid"])  # this step's insert, written before an interruption
                updates.append((before, values))
            order.append((source_id, before, normalized))
        new_records = store.upsert(inserts, lambda fields: self._gsid_of(obj, fields))
        changed = store.upsert(updates)
        self._note_managers(obj, updates, new_records + changed)
        self.resumed[obj] += len(resumed)
        if count:
            result.inserted += len(new_records) + len(resumed)
            result.updated += sum(1 for record in changed if record["Gsid"] not in resumed)
        by_key: dict[str, str] = {}
        for (_, values), record in zip(inserts, new_records, strict=True):
            key = self._key(obj, values)
            assert key is not None
            by_key[f"{key[0]}\x00{keys.normalized(key[1])}"] = record["Gsid"]
        gsid_of: dict[str, str] = {}
        for source_id, before, normalized in order:
            gsid: str | None = before["Gsid"] if before else by_key.get(normalized or "")
            if gsid:
                gsid_of[source_id] = gsid
        return gsid_of

    def _gsid_of(self, obj: str, values: Mapping[str, Any]) -> str | None:
        """The GSID a record this run inserts gets: derived from the job and the record's
        key, None (a new one) outside a run."""
        key = self._key(obj, dict(values))
        if self.run is None or key is None:
            return None
        started, step = self.run
        identity = (self.tenant_id, str(self.job["jobId"]), step, obj, key[0], keys.normalized(key[1]))
        return ids.derived_gsid(SHAPES[obj].gsid_prefix, int(started.timestamp() * 1000), identity)

    def _resolve_deferred(self, result: PageResult) -> None:
        """Same-object references of this page whose target was written with it."""
        if not result.deferred:
            return
        still: list[Deferred] = []
        self.resolve_references(result.deferred, still)  # the rows were counted when written
        result.deferred = still

    def resolve_references(self, deferred: list[Deferred], unresolved: list[Deferred], final: bool = False) -> int:
        """Set same-object references whose target exists now; returns how many records
        changed. ``final`` (the end of the run): a reference still without its target is
        set null when its lookup says ``onNoMatch: NULL`` (the others stay unresolved)."""
        if not deferred:
            return 0
        obj = deferred[0].obj
        store = self.store(obj)
        source_field = SOURCE_ID_FIELD[obj]
        targets: dict[str, list[str]] = {}
        for d in deferred:
            targets.setdefault(d.by, []).append(d.value)
        found = {by: store.find(by, values) for by, values in targets.items()}
        holders = store.find(source_field, [d.source_id for d in deferred])
        records = store.records({g for gsids in holders.values() for g in gsids})
        changes: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
        for d in deferred:
            target = found[d.by].get(keys.normalized(d.value), [])
            if len(target) > 1 and d.multi_match == mapping_rules.FIRSTMATCH:
                target = [min(target)]
            holder = holders.get(keys.normalized(d.source_id), [])
            if len(holder) == 1 and holder[0] in records:
                if len(target) == 1:
                    changes.append((records[holder[0]], {d.target: target[0]}))
                    continue
                if final and not target and d.on_no_match == mapping_rules.NULL:
                    changes.append((records[holder[0]], {d.target: None}))
                    continue
            unresolved.append(d)
        written = store.upsert(changes)
        self._note_managers(obj, changes, written)
        return len(written)

    def _note_managers(
        self, obj: str, updates: Sequence[tuple[dict[str, Any] | None, dict[str, Any]]], written: list[dict[str, Any]]
    ) -> None:
        if obj == "User":
            self.managers_changed.update(
                b["Gsid"] for b, v in updates if b and "Manager" in v and v["Manager"] != b.get("Manager")
            )
        elif obj == "CompanyTeam":  # by their refs (record keys): a new store finds them
            shape = self.store(obj).shape
            self.team_records.update(ref for r in written if (ref := shape.record_ref(r)))

    # ------------------------------------------------------------------ deleting
    def delete_by_source_ids(
        self,
        source_ids: list[str],
        deletable: Callable[[dict[str, Any], str | None], bool],
        cascade: Callable[[str], list[dict[str, Any]]],
    ) -> int:
        """Delete the target records of deleted Salesforce rows that ``deletable`` (the
        record, the job that created it) allows; a Company takes with it the Company Person
        and Company Team records ``cascade`` names."""
        field_name = SOURCE_ID_FIELD.get(self.target)
        if not field_name or not source_ids:
            return 0
        store = self.store(self.target)
        matches = store.find(field_name, source_ids)
        records = store.records({g for gsids in matches.values() for g in gsids})
        doomed = [r for r in records.values() if deletable(r, store.owner_of(r))]
        if self.target == "Company":
            for company in doomed:
                for obj in ("CompanyPerson", "CompanyTeam"):
                    related = cascade(f"{obj}\x00{company['Gsid']}")
                    if related:
                        self.store(obj).delete(related)
        store.delete(doomed)
        return len(doomed)


def _value(raw: Any) -> Any:
    """A Salesforce value as the platform stores it (datetimes in ISO-8601 UTC)."""
    if isinstance(raw, str) and len(raw) == 28 and raw[10] == "T" and raw.endswith("+0000"):
        return raw[:23] + "Z"
    return raw


def _invalid(values: dict[str, dict[str, Any]]) -> tuple[str, str] | None:
    """(outcome, reason) of a row whose values cannot be written, None when they can."""
    for obj, fields in values.items():
        for name, value in fields.items():
            if isinstance(value, str) and len(value) > MAX_TEXT:
                return ERROR, f"{obj}.{name}: too long ({len(value)} characters, at most {MAX_TEXT})"
            where = text.first_unstorable(value, f"{obj}.{name}")
            if where:
                return ERROR, f"{where}: holds a character that cannot be stored (a lone surrogate or NUL)"
        if obj in ("User", "Person"):
            email = fields.get("Email")
            if obj == "Person" and not email:
                return REJECTED, "no Email to resolve the Person"
            if email and not EMAIL.match(str(email)):
                return REJECTED, f"{obj}.Email: {email} is not an e-mail address"
        if obj == "User" and not fields.get("SFDCUserName"):
            return REJECTED, "User.SFDCUserName: required (Username is empty)"
    return None


def _complete(obj: str, values: dict[str, Any]) -> dict[str, Any]:
    """Defaults a new record gets (a synced user is an internal user, not an admin)."""
    if obj == "User":
        name = values.get("Name") or f"{values.get('FirstName') or ''} {values.get('LastName') or ''}".strip()
        return {
            "SystemType": system_item_gsid("SystemType", "Internal"),
            "IsActiveUser": True,
            "GainsightLicenseEnabled": False,
            "CompanyID": None,
            **values,
            "Name": name,
            "IsSuperAdmin": False,  # the product's, whatever a mapping says (objects.writable)
            # as a user created through the API without bundles; only on insert, so a re-run keeps an admin's changes
            "permissionBundles": [DEFAULT_BUNDLE],
        }
    return dict(values)
