"""The data write API for Person and CompanyPerson (SPEC §7): ``POST
/v1/data/objects/{Object}`` inserts 1 to 50 records, ``PUT ...?keys=`` updates the records
each input record's keys match — Company's contract (``companies.service``): the same
answer ``data = {"count", "errors", "records"}``, the same per-record errors and codes
(``companies.schema``, custom fields through ``meta.fields``), 400 ``GSOBJ_1011`` when
nothing matched. A path naming Company in any case or as ``company`` is served by the
Company service itself; another object (CompanyTeam, User) or no object: 404.

Rules beside Company's:
- Keys (``keys=``): ``Gsid`` and the fields with a unique item (Person ``Email``,
  CompanyPerson ``SfdcContactId``), matched through that item (strongly consistent, one
  BatchGetItem for every record's keys): Email case-insensitively, SfdcContactId exactly.
- Person ``Email`` is unique per tenant, decided by its unique item
  (``keys.unique_value(t, "Person", "Email", email)``, the one the sync writes too),
  claimed with ``attribute_not_exists`` in the record's own transaction: an insert or an
  update to an e-mail another person has fails that record with ``GS_1409`` naming the
  other person; two records of one request with one e-mail: the later one fails alike.
  CompanyPerson ``SfdcContactId`` the same way.
- A CompanyPerson's ``CompanyId`` and ``PersonId`` (also as ``Company_ID`` /
  ``Person_ID``) are required and must name records of the tenant (``GSOBJ_1004``
  otherwise); a company the caller may not access (SPEC §4.3) is one that does not exist,
  also when it is the company of a record an update's keys match. One Company Person per
  person and company: an insert takes the GSID derived from the pair
  (``repository.company_person_gsid``, as the People API does) and fails with
  ``GS_1409`` when that record exists (records the sync wrote under other GSIDs are not
  seen; an update that moves a record to another pair is not checked).
- Dates in the answer are epoch milliseconds (the audit dates, custom date fields).

DynamoDB round trips do not grow with the number of records: one BatchGetItem for the
keys' unique items or records, the references and the unique values claimed; an update
one more for the matched records and one for the unique items of values they leave (when
an update changes one); for a caller restricted by company data permissions one for the
companies of matched records and one to decide them (none for super admins); then
one TransactWriteItems per 100 actions (a record, each unique item it claims or
releases, the counter). A cancelled transaction (a concurrent writer) is read again and
retried, up to 3 attempts, then its records fail with ``GS_1409``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import COMPANY, COMPANY_PERSON, OBJECTS, PERSON, ObjectDef
from cscore.companies import schema
from cscore.companies import service as companies
from cscore.companies.schema import Parsed, Problem
from cscore.errors import BadRequest, NotFound
from cscore.meta import fields as meta
from cscore.meta.fields import CustomFields
from cscore.people import names
from cscore.people import repository as repo
from cscore.permissions import access
from cscore.platform import clock, ids, keys
from cscore.query import FieldType, to_epoch_millis

ATTEMPTS = 3
CONFLICT = companies.CONFLICT
WRITABLE = (COMPANY.name, PERSON.name, COMPANY_PERSON.name)
# Key fields compared as e-mail addresses are: trimmed, case-insensitive.
CASE_INSENSITIVE_KEYS = frozenset({"Email"})
# GSID fields that must name an existing record of their target object.
REFERENCES = {"CompanyPerson": ("CompanyId", "PersonId")}


def _object(object_name: str) -> ObjectDef:
    definition = names.object_named(object_name)
    if definition.name not in WRITABLE:
        raise NotFound(f"Object {object_name} is not writable here (writable: {', '.join(WRITABLE)})")
    return definition


def insert_records(principal: Principal, object_name: str, records: list[Any]) -> dict[str, Any]:
    """POST /v1/data/objects/{Object}: create 1 to 50 records; each record fails alone."""
    definition = _object(object_name)
    if definition is COMPANY:
        return companies.insert_companies(principal, records)
    return _Writer(principal, definition).insert(records)


def update_records(
    principal: Principal, object_name: str, records: list[Any], keys_param: str | None
) -> dict[str, Any]:
    """PUT /v1/data/objects/{Object}?keys=...: update the records each input record's keys match."""
    definition = _object(object_name)
    if definition is COMPANY:
        return companies.update_companies(principal, records, keys_param)
    return _Writer(principal, definition).update(records, keys_param)


@dataclass
class _Target:
    """A record an update writes: the inputs that apply to it, in order."""

    gsid: str
    inputs: list[int] = field(default_factory=list)


class _Writer:
    """One request's insert or update of Person or CompanyPerson records."""

    def __init__(self, principal: Principal, definition: ObjectDef) -> None:
        self.principal = principal
        self.definition = definition
        self.tenant_id = principal.tenant_id
        self.custom: CustomFields = meta.for_object(principal.tenant, definition.name)

    # ------------------------------------------------------------ reads and checks

    def _record_key(self, gsid: str, obj: ObjectDef | None = None) -> Any:
        return repo.record_key(obj or self.definition, self.tenant_id, gsid)

    def _unique_key(self, name: str, value: object) -> Any:
        return repo.unique_key(self.definition, self.tenant_id, name, value)

    def _reference_keys(self, values: dict[str, Any]) -> list[Any]:
        found = []
        for name in REFERENCES.get(self.definition.name, ()):
            if values.get(name):
                target = OBJECTS[self.definition[name].target or self.definition.name]
                found.append(self._record_key(str(values[name]), target))
        return found

    def _claim_keys(self, values: dict[str, Any]) -> list[Any]:
        """The unique items a record claims, and for a Company Person the record its
        person and company would have (one per pair, ``repo.company_person_gsid``)."""
        found = [self._unique_key(n, v) for n, v in self.definition.shape.unique_values(values).items()]
        pair = _pair(self.definition, values)
        return found + ([self._record_key(repo.company_person_gsid(*pair))] if pair else [])

    def _hidden_companies(self, snapshot: repo.Snapshot, gsids: set[str]) -> set[str]:
        """Companies among ``gsids`` the caller may not access (those not read yet are
        read first: one BatchGetItem, none for a caller who sees every company)."""
        if not gsids or access.permits_all(self.principal):
            return set()
        ordered = sorted(gsids)
        snapshot.fetch(self._record_key(g, COMPANY) for g in ordered)
        found = [repo.public(snapshot.get(self._record_key(g, COMPANY)) or {"Gsid": g}) for g in ordered]
        return {g for g, ok in zip(ordered, access.permitted(self.principal, found), strict=True) if not ok}

    def _check_references(self, parsed: Parsed, snapshot: repo.Snapshot, hidden: set[str]) -> None:
        for name in REFERENCES.get(self.definition.name, ()):
            value = parsed.values.get(name)
            if not value:
                continue
            target = OBJECTS[self.definition[name].target or self.definition.name]
            if snapshot.get(self._record_key(str(value), target)) is None or value in hidden:
                parsed.problems.append(Problem(schema.BAD_GSID, f"{name}: no {target.name} with GSID {value}"))

    def _check_claims(self, parsed: Parsed, gsid: str | None, snapshot: repo.Snapshot, claimed: dict[str, int]) -> None:
        """Unique values the record takes must be free, or its own (``gsid``), and not
        taken by an earlier record of this request (``claimed``: item -> index)."""
        for name, value in self.definition.shape.unique_values(parsed.values).items():
            item_key = self._unique_key(name, value)
            owner = (snapshot.get(item_key) or {}).get("gsid")
            ident = f"{item_key['PK']['S']}"
            if owner is not None and owner != gsid:
                message = f"{name}: {value!r} is already the {name} of {self.definition.name} {owner}"
                parsed.problems.append(Problem(CONFLICT, message))
            elif ident in claimed:
                message = f"{name}: {value!r} is also the {name} of record {claimed[ident]} of this request"
                parsed.problems.append(Problem(CONFLICT, message))
        pair = _pair(self.definition, parsed.values) if gsid is None else None
        if pair:
            linked = snapshot.get(self._record_key(repo.company_person_gsid(*pair)))
            ident = self._record_key(repo.company_person_gsid(*pair))["PK"]["S"]
            if linked is not None:
                message = f"PersonId, CompanyId: the person already has Company Person {linked['Gsid']} at this company"
                parsed.problems.append(Problem(CONFLICT, message))
            elif ident in claimed:
                message = f"PersonId, CompanyId: also the person and company of record {claimed[ident]} of this request"
                parsed.problems.append(Problem(CONFLICT, message))

    # ------------------------------------------------------------ insert

    def insert(self, records: list[Any]) -> dict[str, Any]:
        records = companies.check_count(records)
        parsed = [
            schema.parse_record(
                names.record_with_field_names(self.definition, raw),
                insert=True,
                custom=self.custom,
                definition=self.definition,
            )
            for raw in records
        ]
        errors: list[dict[str, Any]] = []
        written: list[dict[str, Any]] = []
        pending = [i for i, p in enumerate(parsed) if not p.problems]
        for attempt in range(ATTEMPTS):
            if attempt:
                backoff(attempt - 1)
            snapshot = repo.Snapshot(self.tenant_id)
            snapshot.fetch(
                k
                for i in pending
                for k in [*self._reference_keys(parsed[i].values), *self._claim_keys(parsed[i].values)]
            )
            hidden = self._hidden_companies(snapshot, _companies_of([parsed[i].values for i in pending]))
            now = clock.iso()
            claimed: dict[str, int] = {}
            new: list[tuple[int, dict[str, Any]]] = []
            for i in pending:
                self._check_references(parsed[i], snapshot, hidden)
                self._check_claims(parsed[i], None, snapshot, claimed)
                if parsed[i].problems:
                    continue
                claimed.update({k["PK"]["S"]: i for k in self._claim_keys(parsed[i].values)})
                audit = {"CreatedDate": now, "ModifiedDate": now, "CreatedBy": self.principal.user_gsid}
                values = {k: v for k, v in parsed[i].values.items() if v is not None}
                pair = _pair(self.definition, values)
                gsid = repo.company_person_gsid(*pair) if pair else ids.new_gsid(self.definition.shape.gsid_prefix)
                new.append((i, {"Gsid": gsid, **values, **audit, "ModifiedBy": self.principal.user_gsid}))
            writes = [repo.insert(self.definition, self.tenant_id, record, snapshot) for _, record in new]
            done = repo.write(self.tenant_id, writes)
            written += [record for _, record in new[:done]]
            pending = [i for i, _ in new[done:]]
            if not pending:
                break
        for i in pending:
            parsed[i].problems.append(Problem(CONFLICT, companies.CONFLICT_MESSAGE))
        errors = [companies.record_error(i, records[i], p.problems) for i, p in enumerate(parsed) if p.problems]
        return companies.write_answer([self._shown(r) for r in written], errors)

    def _unique_values(self, parsed: Parsed) -> list[tuple[str, str]]:
        return list(self.definition.shape.unique_values(parsed.values).items())

    # ------------------------------------------------------------ update

    def _key_lookup(self, criteria: dict[str, str]) -> Any:
        """The item that names the records a record's keys may match: the record itself
        (Gsid) or the first key's unique item."""
        if "Gsid" in criteria:
            return self._record_key(criteria["Gsid"])
        name = next(iter(criteria))
        return self._unique_key(name, criteria[name])

    def _candidate(self, criteria: dict[str, str], snapshot: repo.Snapshot) -> str | None:
        if "Gsid" in criteria:
            return criteria["Gsid"]
        found = snapshot.get(self._key_lookup(criteria))
        return None if found is None else str(found["gsid"])

    def _matches(self, record: dict[str, Any] | None, criteria: dict[str, str], hidden: set[str]) -> bool:
        if record is None or record.get("CompanyId") in hidden:
            return False
        for name, value in criteria.items():
            stored = record.get(name)
            if stored is None:
                return False
            exact = name not in CASE_INSENSITIVE_KEYS
            if (str(stored).strip() != value) if exact else (keys.normalized(stored) != keys.normalized(value)):
                return False
        return True

    def update(self, records: list[Any], keys_param: str | None) -> dict[str, Any]:
        try:
            given = [names.field_name(self.definition, k.strip()) for k in (keys_param or "").split(",")]
            key_fields = schema.parse_keys(",".join(given), self.definition)
        except ValueError as exc:
            raise BadRequest(str(exc)) from exc
        records = companies.check_count(records)
        parsed = [
            schema.parse_record(
                names.record_with_field_names(self.definition, raw),
                insert=False,
                key_fields=key_fields,
                custom=self.custom,
                definition=self.definition,
            )
            for raw in records
        ]
        for p in parsed:
            for name in self.definition.required:
                if name in p.values and p.values[name] is None:
                    p.problems.append(Problem(schema.REQUIRED_NULL, f"{name}: required field must not be null"))
        valid = [i for i, p in enumerate(parsed) if not p.problems]
        updated: dict[str, dict[str, Any]] = {}
        targets: dict[str, _Target] = {}
        lost: set[int] = set()
        pending = list(valid)
        for attempt in range(ATTEMPTS):
            if attempt:
                backoff(attempt - 1)
            snapshot = repo.Snapshot(self.tenant_id)
            snapshot.fetch(
                k
                for i in pending
                for k in [
                    self._key_lookup(parsed[i].keys),
                    *self._reference_keys(parsed[i].values),
                    *self._claim_keys(parsed[i].values),
                ]
            )
            candidates = {i: self._candidate(parsed[i].keys, snapshot) for i in pending}
            snapshot.fetch(self._record_key(g) for g in candidates.values() if g)
            # The companies the records name and those of the records matched: a hidden one
            # is a reference to nothing, and its records match nothing.
            matched = [snapshot.get(self._record_key(g)) or {} for g in candidates.values() if g]
            companies_named = _companies_of([*(parsed[i].values for i in pending), *matched])
            hidden = self._hidden_companies(snapshot, companies_named)
            round_targets: dict[str, _Target] = {}
            for i in pending:
                gsid = candidates[i]
                before = snapshot.get(self._record_key(gsid)) if gsid else None
                if not self._matches(before, parsed[i].keys, hidden):
                    continue
                assert gsid is not None
                round_targets.setdefault(gsid, _Target(gsid)).inputs.append(i)
            snapshot.fetch(
                k
                for target in round_targets.values()
                for i in target.inputs
                for k in repo.leaving_keys(
                    self.definition,
                    self.tenant_id,
                    snapshot.get(self._record_key(target.gsid)) or {},
                    {**(snapshot.get(self._record_key(target.gsid)) or {}), **parsed[i].values},
                )
            )
            writes, afters = [], []
            now = clock.iso()
            claimed: dict[str, int] = {}
            for target in round_targets.values():
                before = snapshot.get(self._record_key(target.gsid))
                assert before is not None
                inputs = []
                for i in target.inputs:
                    self._check_references(parsed[i], snapshot, hidden)
                    self._check_claims(parsed[i], target.gsid, snapshot, claimed)
                    if not parsed[i].problems:
                        inputs.append(i)
                if not inputs:
                    continue
                after = repo.public(before)
                for i in inputs:
                    after.update(parsed[i].values)
                    claimed.update({self._unique_key(n, v)["PK"]["S"]: i for n, v in self._unique_values(parsed[i])})
                after = {k: v for k, v in after.items() if v is not None}
                after |= {"ModifiedDate": now, "ModifiedBy": self.principal.user_gsid}
                target.inputs = inputs
                writes.append(repo.update(self.definition, self.tenant_id, before, after, snapshot))
                afters.append(after)
            done = repo.write(self.tenant_id, writes)
            for one, after in zip(writes[:done], afters[:done], strict=True):
                updated[one.gsid] = after
                targets[one.gsid] = round_targets[one.gsid]
            retry = {i for one in writes[done:] for i in round_targets[one.gsid].inputs}
            pending = [i for i in pending if i in retry]
            if not pending:
                break
        lost = set(pending)
        succeeded = {i for t in targets.values() for i in t.inputs}
        errors = [companies.record_error(i, records[i], p.problems) for i, p in enumerate(parsed) if p.problems]
        for i in valid:
            if i in succeeded or parsed[i].problems:
                continue
            problem = (
                Problem(CONFLICT, companies.CONFLICT_MESSAGE)
                if i in lost
                else Problem(schema.NO_MATCH, schema.NO_MATCH_MESSAGE)
            )
            errors.append(companies.record_error(i, records[i], [problem]))
        ordered = sorted(updated, key=lambda g: min(targets[g].inputs))
        return companies.write_answer([self._shown(updated[g]) for g in ordered], errors)

    # ------------------------------------------------------------ answers

    def _shown(self, record: dict[str, Any]) -> dict[str, Any]:
        return shown(self.definition, self.custom, record)


def shown(definition: ObjectDef, custom: CustomFields, record: dict[str, Any]) -> dict[str, Any]:
    """A written record as the answer shows it: ``Gsid`` first, then its fields by name;
    dates and date-times as epoch milliseconds, custom picklists as labels."""
    fields = custom.labelled(repo.public(record))
    for name, value in fields.items():
        kind = definition.by_name[name].type if name in definition.by_name else None
        if kind in (FieldType.DATE, FieldType.DATETIME) or custom.types.get(name) == "date":
            fields[name] = to_epoch_millis(value, date_only=kind is FieldType.DATE or name in custom.types)
    return {"Gsid": fields.pop("Gsid"), **dict(sorted(fields.items()))}


def _pair(definition: ObjectDef, values: dict[str, Any]) -> tuple[str, str] | None:
    """A Company Person's (person, company), when both are given."""
    if definition is not COMPANY_PERSON or not values.get("PersonId") or not values.get("CompanyId"):
        return None
    return str(values["PersonId"]), str(values["CompanyId"])


def _companies_of(values: list[dict[str, Any]]) -> set[str]:
    return {str(v["CompanyId"]) for v in values if v.get("CompanyId")}


def backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.05 * 2**attempt))
