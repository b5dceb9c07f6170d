"""Applying rows of a CSV file to the job's object (SPEC §4.5(3)), a chunk at a time.

For each chunk: the cells of every row are checked and converted (``Deleted``, picklist
labels, custom field types), the lookups of all rows are resolved from index items read
in one batch per 100 distinct values not read before, the referenced records that need
it are read (a GSID given in a column is checked; a user's Manager gives the chain),
the existing records are read by key, and the changes are buffered
in a ``BulkStore``, which sends full batches of 25 (``flush(complete=False)``) from a
write-behind thread while the next chunk is read and looked up. Rows
that repeat a key already in the chunk start a new wave, so that they see the first
one's result, as if the file were applied row by row.

Company Team (the one target today): the key is CompanyId + UserId; ``Deleted`` true
removes the record (nothing to remove counts as ``skipped``); an insert gets TeamRole
Account Manager, UserAccess Admin and UserSource Manual unless columns give them, and
its UserManagerRole1..3; records that came from Salesforce belong to the sync and are
refused. Empty cells leave fields as they are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cscore.bulkload.csvfile import Row
from cscore.bulkload.definitions import DELETED, OUTCOMES, TARGETS
from cscore.catalog import COMPANY_TEAM
from cscore.meta import fields as custom_meta
from cscore.meta.fields import INVALID_FIELD, CustomValueError, with_code
from cscore.objects.bulk import BulkStore
from cscore.picklists.service import Picklists
from cscore.platform import ids, keys, table
from cscore.platform.records import record_of
from cscore.teams import membership, rules
from cscore.teams import records as team_records
from cscore.users import lookups as lookup_rules
from cscore.users import managers

TRUE = frozenset({"true", "t", "yes", "y", "1"})
FALSE = frozenset({"false", "f", "no", "n", "0", ""})
INSERT_DEFAULTS = {"UserAccess": rules.ADMIN, "UserSource": team_records.MANUAL}
ACCESS = {"admin": rules.ADMIN, "member": rules.MEMBER}
PREFIXES = {"CompanyId": ids.COMPANY, "UserId": ids.USER}
REFERENCE_FIELDS = {"Company": ("Gsid",), "User": ("Gsid", "Manager")}
LOOKUP_CACHE_ITEMS = 200_000
_MATCH_ATTRIBUTES = ("gsids", "gsid", "Gsid")  # what an index, unique or record item says of a match
Pair = tuple[str, str]


class Rejected(Exception):
    """A row that cannot be applied; the message is the reason in the errors file."""


@dataclass
class Planned:
    row: Row
    pair: Pair
    delete: bool
    fields: dict[str, Any]


@dataclass
class ChunkResult:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    rejected: list[tuple[Row, str]] = field(default_factory=list)

    def reject(self, row: Row, reason: str) -> None:
        self.counts["rejected"] += 1
        self.rejected.append((row, reason))


def _lookup_of(target_field: str, spec: dict[str, Any]) -> lookup_rules.Lookup:
    return lookup_rules.Lookup(
        target_field,
        spec["objectName"],
        tuple(spec["fields"].items()),
        spec["lookupField"],
        spec["multiMatchOption"],
        spec["onNoMatch"],
        spec.get("defaultValue"),
    )


def _matches_only(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a looked-up item that ``lookups.resolve`` reads (the GSIDs it names)."""
    return None if item is None else {k: item[k] for k in _MATCH_ATTRIBUTES if k in item}


def _as_bool(value: str, name: str) -> bool:
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise Rejected(f"{name}: must be true or false, not {value!r}")


def _typed(kind: str, value: str) -> Any:
    """A custom field's cell as the value its type takes: a boolean column's true or false
    words as a boolean; anything else as the text, which ``CustomFields.normalize`` parses
    (numbers, dates) or refuses with its code (``meta.fields.PROBLEM_CODES``)."""
    if kind == "boolean":
        word = value.strip().lower()
        if word in TRUE or word in FALSE:
            return word in TRUE
    return value


class Loader:
    """Applies the rows of one file of one job, chunk after chunk (module doc)."""

    def __init__(self, tenant_id: str, actor: str, job: dict[str, Any], header: list[str], tenant: dict[str, Any]):
        self.tenant_id = tenant_id
        self.actor = actor
        self.target = TARGETS[job["objectName"]]
        self.header = header
        self.mappings: dict[str, str] = dict(job["fieldMappings"])
        self.lookups = [_lookup_of(name, spec) for name, spec in job["lookups"].items()]
        self.looked_up = {lookup.target for lookup in self.lookups}
        self.picklists = Picklists(tenant)
        self.custom = custom_meta.for_object(tenant, self.target.name)
        self.default_role = membership.default_role(self.picklists)
        # BatchGetItem calls by purpose (lookup:<Object>, references, existing), kept with the
        # import's checkpoints: what the batching costs, per lookup.
        self.reads: Counter[str] = Counter()
        # What lookups found, by index item, for the whole invocation: a file names the same
        # companies and users again and again. Only the GSIDs are kept, and at most
        # LOOKUP_CACHE_ITEMS of them (a few tens of MB), so memory stays bounded.
        self._found: dict[tuple[str, str], dict[str, Any] | None] = {}
        self.store = BulkStore(self.tenant_id, COMPANY_TEAM.shape, self.actor, write_behind=True)
        self._forget()

    def new_segment(self) -> None:
        """Forget the records read (after a checkpoint): memory stays bounded by a segment."""
        self.store.close()
        self.reads["existing"] += self.store.calls["BatchGetItem"]
        self.store = BulkStore(self.tenant_id, COMPANY_TEAM.shape, self.actor, write_behind=True)
        self._forget()
        if len(self._found) > LOOKUP_CACHE_ITEMS:
            self._found = {}

    def _forget(self) -> None:
        self._records: dict[str, dict[str, dict[str, Any]]] = {"Company": {}, "User": {}}
        self._missing: dict[str, set[str]] = {"Company": set(), "User": set()}
        self._chains: dict[str, tuple[str | None, ...]] = {}

    # ------------------------------------------------------------------ a chunk
    def apply(self, rows: Sequence[Row]) -> ChunkResult:
        result = ChunkResult()
        parsed: list[tuple[Row, dict[str, str]]] = []
        for row in rows:
            if len(row.cells) != len(self.header):
                result.reject(row, f"the row has {len(row.cells)} cells; the header has {len(self.header)}")
                continue
            parsed.append((row, dict(zip(self.header, row.cells, strict=True))))
        self._read_lookups([values for _, values in parsed])
        planned: list[Planned] = []
        for row, values in parsed:
            try:
                planned.append(self._plan(row, values))
            except Rejected as exc:
                result.reject(row, str(exc))
        planned = self._existing_references(planned, result)
        wave: dict[Pair, Planned] = {}
        for plan in planned:
            if plan.pair in wave:
                self._write(list(wave.values()), result)
                wave = {}
            wave[plan.pair] = plan
        self._write(list(wave.values()), result)
        self.store.flush(complete=False)
        return result

    def flush(self) -> None:
        """Send every buffered write and wait for them (before a checkpoint)."""
        self.store.flush()

    def close(self) -> None:
        self.store.close()

    # ------------------------------------------------------------------ one row
    def _plan(self, row: Row, values: dict[str, str]) -> Planned:
        fields: dict[str, Any] = {}
        delete = False
        for column, name in self.mappings.items():
            cell = values[column]
            if name == DELETED:
                delete = _as_bool(cell, column)
            elif not cell.strip():
                continue  # an empty cell leaves the field as it is
            elif name in PREFIXES:
                gsid = cell.strip()
                if not ids.is_gsid(gsid, PREFIXES[name]):
                    raise Rejected(f"{name}: {gsid!r} is not a {self.target.lookups[name]} GSID")
                fields[name] = gsid
            elif name == "TeamRole":
                role = self.picklists.to_gsid("TeamRole", cell)
                if role is None:
                    raise Rejected(f"TeamRole: {cell.strip()!r} is no team role of this tenant")
                fields[name] = role
            elif name == "UserAccess":
                access = ACCESS.get(cell.strip().lower())
                if access is None:
                    raise Rejected(f"UserAccess: must be Admin or Member, not {cell!r}")
                fields[name] = access
            elif name not in self.custom:  # defined when the job was, deleted since
                raise Rejected(with_code(f"{name}: no custom field of {self.target.name} has this name", INVALID_FIELD))
            else:
                try:
                    fields[name] = self.custom.normalize(name, _typed(self.custom.types[name], cell))
                except CustomValueError as exc:
                    raise Rejected(exc.reason) from None
        for lookup in self.lookups:
            outcome = lookup_rules.resolve(lookup, values, self._found, self.tenant_id)
            if outcome.error:
                raise Rejected(outcome.error)
            if outcome.value is None:
                raise Rejected(f"{lookup.target}: no {lookup.object_name} found")
            fields[lookup.target] = outcome.value
        for name in self.target.key_fields:
            if name not in fields:
                raise Rejected(f"{name}: empty (a row needs its {' and '.join(self.target.key_fields)})")
        pair = (str(fields.pop("CompanyId")), str(fields.pop("UserId")))
        return Planned(row, pair, delete, {} if delete else fields)

    # ------------------------------------------------------------------ reads, batched per chunk
    def _read_lookups(self, rows: list[dict[str, str]]) -> None:
        for lookup in self.lookups:
            wanted: dict[tuple[str, str], Any] = {}
            for values in rows:
                for source, matched in lookup.criteria:
                    value = values.get(source)
                    if value is None or not value.strip():
                        continue
                    item_key = lookup_rules.match_key(self.tenant_id, lookup.object_name, matched, value)
                    ident = (item_key["PK"]["S"], item_key["SK"]["S"])
                    if ident not in self._found:
                        wanted[ident] = item_key
            if wanted:
                found = table.read_many(list(wanted.values()), _MATCH_ATTRIBUTES)
                self._found.update((ident, _matches_only(item)) for ident, item in zip(wanted, found, strict=True))
                self.reads[f"lookup:{lookup.object_name}"] += -(-len(wanted) // table.BATCH_GET_LIMIT)

    def _existing_references(self, planned: list[Planned], result: ChunkResult) -> list[Planned]:
        """Drop rows whose company or user does not exist; read the new users' chains.

        A company found by a lookup exists (its index item is written with it, as the users
        API's lookups trust); a GSID given in a column is checked. Users are always read:
        their Manager gives the chain."""
        verified = {"Company": "CompanyId" not in self.looked_up, "User": True}
        for obj, position in (("Company", 0), ("User", 1)):
            known = self._records[obj]
            if not verified[obj]:
                known.update({p.pair[position]: {} for p in planned})
                continue
            unread = sorted({p.pair[position] for p in planned} - set(known) - self._missing[obj])
            if unread:
                # Only what is needed: that the company exists; the user's manager (its chain).
                items = table.read_many([keys.record(self.tenant_id, obj, g) for g in unread], REFERENCE_FIELDS[obj])
                found = {g: record_of(item) for g, item in zip(unread, items, strict=True) if item is not None}
                self.reads["references"] += -(-len(unread) // table.BATCH_GET_LIMIT)
                known.update(found)
                self._missing[obj].update(set(unread) - set(found))
        users = self._records["User"]
        new_users = {g: users[g] for g in {p.pair[1] for p in planned} if g in users and g not in self._chains}
        if new_users:
            self._chains.update(managers.chains(self.tenant_id, new_users))
        kept: list[Planned] = []
        for plan in planned:
            company, user = plan.pair
            if company not in self._records["Company"]:
                result.reject(plan.row, f"CompanyId: no company {company} in this tenant")
            elif user not in users:
                result.reject(plan.row, f"UserId: no user {user} in this tenant")
            else:
                kept.append(plan)
        return kept

    # ------------------------------------------------------------------ writes
    def _write(self, wave: list[Planned], result: ChunkResult) -> None:
        if not wave:
            return
        existing = team_records.find(self.store, [p.pair for p in wave])
        deletes: list[dict[str, Any]] = []
        changes: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
        updates: list[tuple[Planned, str]] = []
        for plan in wave:
            before = existing.get(plan.pair)
            if before is not None and before.get("UserSource") == team_records.SALESFORCE:
                result.reject(plan.row, team_records.OWNED_BY_SYNC)
                continue
            if plan.delete:
                if before is None:
                    result.counts["skipped"] += 1
                else:
                    deletes.append(before)
                    result.counts["deleted"] += 1
                continue
            chain = managers.as_fields(self._chains.get(plan.pair[1], (None,) * managers.LEVELS))
            if before is None:
                new = {"CompanyId": plan.pair[0], "UserId": plan.pair[1], "TeamRole": self.default_role}
                new |= INSERT_DEFAULTS | {k: v for k, v in chain.items() if v is not None} | plan.fields
                changes.append((None, new))
                result.counts["inserted"] += 1
            else:
                changes.append((before, {**chain, **plan.fields}))
                updates.append((plan, str(before["Gsid"])))
        if deletes:
            self.store.delete(deletes)
        written = {str(r["Gsid"]) for r in self.store.upsert(changes)} if changes else set()
        for _, gsid in updates:
            result.counts["updated" if gsid in written else "unchanged"] += 1
