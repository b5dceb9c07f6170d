"""The Company data API's writes (SPEC §4b "Company data API"): insert, update by keys, delete.

Answers of insert and update: ``data = {"count", "errors", "records"}``. ``records`` are
the companies written, every stored field (``Gsid`` first, date and date-time fields as
epoch milliseconds like query answers, SPEC §7; a field the record named in another case
or by another name under that name: ``gsid``, ``Arr``); ``errors`` (null when there are none) has one
entry per failed input record: ``{"index", "record" (as sent), "errorCode",
"errorMessage"}``, where the code is the record's first problem and the message lists all
of them. HTTP 200 when at least one record was written; otherwise 400 with the same
``data``, ``errorCode``/``errorDesc`` of the first failed record (so an insert answers
e.g. ``GSOBJ_1002`` or ``GSOBJ_1007``, an update whose keys matched nothing
``GSOBJ_1011`` "No entity matches the given criteria").

Rules chosen where Gainsight's contract is silent:
- Update keys (``keys=``, up to 3, ANDed) are matched against the data stored before the
  request: ``Gsid`` exactly, ``Name`` trimmed and case-insensitive, ``SfdcAccountId``
  exactly (Salesforce 15-character ids are case-sensitive). Key fields are criteria, not
  changes. A key matching several companies updates every one of them (Gainsight's
  behaviour for non-unique keys); ``count`` and ``records`` then count companies, not
  input records. Several input records matching one company apply to it in order (the
  later value wins) and it is listed once.
- References must exist in the tenant when the request is made (a company inserted by
  the same request cannot be referenced). ``ParentCompanyName`` resolves by the Name index
  ``CsmEmail`` by the users' e-mail index and ``CSMFirstName`` + ``CSMLastName`` by their
  FullName index; several matches take the oldest (smallest GSID, GSIDs being
  time-ordered).
  until users keep a name index: resolving them otherwise would need a scan. A company
  cannot be its own parent; longer cycles are not checked. Deleting a company does not
  touch companies that reference it. A company the caller may not access is never
  referenced: it is answered as a company that does not exist (SPEC §4.3).
- Null or "" clears an optional field on update and is ignored on insert; Name is
  required and cannot be cleared.
- Conflicts with concurrent writers cancel a transaction (nothing of it is written); it
  is re-read and retried, up to 3 attempts, then the records concerned fail with
  ``GS_1409``.
- Custom fields (``__gc``) defined for Company (``/v1/meta/objects/Company/fields``) are
  written like standard fields, each checked by its type (``companies.schema``); a ``__gc``
  field that is not defined is an unknown field (GSOBJ_1002).

DynamoDB round trips do not grow with the number of records: one BatchGetItem for the
references and key lookups (insert: only if a record references something), for a caller
restricted by company data permissions one for the referenced companies and one to
decide them, one for the companies matched by an index (update), one for index items
that companies leave (update, delete), then one TransactWriteItems per 100 actions (a
record, each distinct index item, the counter).
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import COMPANY
from cscore.companies import repository as repo
from cscore.companies import schema
from cscore.companies.schema import Parsed, Problem
from cscore.errors import BadRequest, Conflict, Forbidden, NotFound
from cscore.meta import fields as meta
from cscore.permissions import access
from cscore.platform import clock, ids, keys
from cscore.query import FieldType, to_epoch_millis

ATTEMPTS = 3
CONFLICT = "GS_1409"
CONFLICT_MESSAGE = "The company changed while it was being written; nothing was written for this record, try again"


def permitted(principal: Principal, companies: list[dict[str, Any]]) -> list[bool]:
    """Company data permissions for writes (SPEC §1.1, §4.3): one flag per company, in
    order, decided with one batched read (``permissions.access``). A company the caller
    may not access behaves as if it did not exist: update reports it as matching nothing
    (GSOBJ_1011), delete answers 404, a reference to it (ParentCompany,
    ParentCompanyName) is a reference to nothing (GSOBJ_1004); an insert of a company the
    caller could not access is refused (GS_1403)."""
    return access.permitted(principal, companies)


def _hidden_references(principal: Principal, parsed: list[Parsed], snapshot: repo.Snapshot) -> set[str]:
    """Companies the records reference (by GSID or by name) that the caller may not
    access: one read of those not read yet and one batched decision for them all."""
    if access.permits_all(principal):
        return set()
    tenant_id = principal.tenant_id
    named: set[str] = set()
    for item in parsed:
        if item.values.get("ParentCompany"):
            named.add(str(item.values["ParentCompany"]))
        if item.by_name.get("ParentCompanyName"):
            named.update(snapshot.gsids(repo.index_key(tenant_id, "Name", item.by_name["ParentCompanyName"])))
    snapshot.fetch(repo.record_key(tenant_id, g) for g in sorted(named))
    companies = [repo.public(c) for g in sorted(named) if (c := snapshot.company(g)) is not None]
    return {str(c["Gsid"]) for c, ok in zip(companies, permitted(principal, companies), strict=True) if not ok}


def check_count(records: Any) -> list[Any]:
    if not isinstance(records, list) or not records:
        raise BadRequest("records: at least 1 record is required")
    if len(records) > schema.MAX_RECORDS:
        raise BadRequest(f"records: at most {schema.MAX_RECORDS} records per request, got {len(records)}")
    return records


def record_error(index: int, record: Any, problems: list[Problem]) -> dict[str, Any]:
    return {
        "index": index,
        "record": record,
        "errorCode": problems[0].code,
        "errorMessage": "; ".join(p.message for p in problems),
    }


def write_answer(records: list[dict[str, Any]], errors: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(errors, key=lambda e: int(e["index"]))
    data = {"count": len(records), "errors": ordered or None, "records": records}
    if not records:
        first = ordered[0] if ordered else {"errorCode": "GS_1400", "errorMessage": "nothing was written"}
        if all(e["errorCode"] == "GS_1403" for e in ordered):  # every record refused by permissions
            raise Forbidden(first["errorMessage"], data=data)
        raise BadRequest(first["errorMessage"], code=first["errorCode"], data=data)
    return data


def _shown(company: dict[str, Any], written: Mapping[str, str], custom: meta.CustomFields) -> dict[str, Any]:
    """A written company as the answer shows it: dates as epoch milliseconds, each field
    under the name the input gave it (``written``: field -> name)."""
    shown = repo.public(company)
    for name, value in shown.items():
        kind = COMPANY.by_name[name].type if name in COMPANY.by_name else custom.types.get(name)
        if value is not None and kind in (FieldType.DATE, FieldType.DATETIME, "date"):
            shown[name] = to_epoch_millis(value, date_only=kind != FieldType.DATETIME)
    ordered = {"Gsid": shown.pop("Gsid"), **dict(sorted(shown.items()))}
    return {written.get(name, name): value for name, value in ordered.items()}


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.05 * 2**attempt))


# ---------------------------------------------------------------- references


def _reference_keys(tenant_id: str, parsed: Parsed) -> list[Any]:
    found = []
    if parsed.values.get("ParentCompany"):
        found.append(repo.record_key(tenant_id, parsed.values["ParentCompany"]))
    if parsed.values.get("Csm"):
        found.append(repo.user_key(tenant_id, parsed.values["Csm"]))
    if parsed.by_name.get("ParentCompanyName"):
        found.append(repo.index_key(tenant_id, "Name", parsed.by_name["ParentCompanyName"]))
    for name, value in parsed.by_name.items():
        if value and name in _USER_INDEX:
            found.append(keys.lookup_index(tenant_id, "User", _USER_INDEX[name], value))
    return found


# Convenience fields that name a user, and the users' index that resolves them.
_USER_INDEX = {"CsmEmail": "Email", "CsmFullName": "FullName"}


def _resolve(tenant_id: str, parsed: Parsed, snapshot: repo.Snapshot, hidden: set[str]) -> None:
    """Check references and turn convenience fields into the fields they stand for
    (the snapshot already holds what ``_reference_keys`` named). A ``hidden`` company is
    referenced as if it did not exist."""
    parent = parsed.values.get("ParentCompany")
    if parent and (snapshot.get(repo.record_key(tenant_id, parent)) is None or parent in hidden):
        parsed.problems.append(Problem(schema.BAD_GSID, f"ParentCompany: no company with GSID {parent}"))
    csm = parsed.values.get("Csm")
    if csm and snapshot.get(repo.user_key(tenant_id, csm)) is None:
        parsed.problems.append(Problem(schema.BAD_GSID, f"Csm: no user with GSID {csm}"))
    for name, target in schema.BY_NAME.items():
        if name not in parsed.by_name:
            continue
        value = parsed.by_name[name]
        if value is None:
            parsed.values[target] = None
            continue
        item_key = (
            repo.index_key(tenant_id, "Name", value)
            if target == "ParentCompany"
            else keys.lookup_index(tenant_id, "User", _USER_INDEX[name], value)
        )
        matches = [g for g in snapshot.gsids(item_key) if g not in hidden]
        if matches:
            parsed.values[target] = min(matches)
        else:
            what = {"ParentCompanyName": "company named", "CsmEmail": "user with e-mail"}.get(name, "user named")
            parsed.problems.append(Problem(schema.BAD_GSID, f"{name}: no {what} {value!r}"))


# ---------------------------------------------------------------- insert


def insert_companies(principal: Principal, records: list[Any]) -> dict[str, Any]:
    """POST /v1/data/objects/Company: create 1 to 50 companies; each record fails alone."""
    tenant_id = principal.tenant_id
    records = check_count(records)
    now = clock.iso()
    custom = meta.for_object(principal.tenant, schema.OBJECT)
    parsed = [schema.parse_record(raw, insert=True, custom=custom) for raw in records]
    snapshot = repo.Snapshot(tenant_id)
    snapshot.fetch(k for p in parsed if not p.problems for k in _reference_keys(tenant_id, p))
    hidden = _hidden_references(principal, [p for p in parsed if not p.problems], snapshot)
    errors: list[dict[str, Any]] = []
    new: list[tuple[int, dict[str, Any]]] = []
    for index, item in enumerate(parsed):
        if not item.problems:
            _resolve(tenant_id, item, snapshot, hidden)
        if item.problems:
            errors.append(record_error(index, records[index], item.problems))
            continue
        gsid = ids.new_gsid(ids.COMPANY)
        fields = {k: v for k, v in item.values.items() if v is not None}
        audit = {"CreatedDate": now, "ModifiedDate": now, "CreatedBy": principal.user_gsid}
        new.append((index, {"Gsid": gsid, **fields, **audit, "ModifiedBy": principal.user_gsid}))
    allowed = permitted(principal, [company for _, company in new])
    refused = [(i, c) for (i, c), ok in zip(new, allowed, strict=True) if not ok]
    for index, _ in refused:
        errors.append(record_error(index, records[index], [Problem("GS_1403", "not allowed to write this company")]))
    new = [(i, c) for (i, c), ok in zip(new, allowed, strict=True) if ok]
    writes = [
        repo.CompanyWrite(
            company["Gsid"],
            repo.put_record(tenant_id, company),
            repo.index_changes(None, company)[0],
            counter=1,
            words=repo.word_actions(tenant_id, None, company),
        )
        for _, company in new
    ]
    written = 0
    for attempt in range(ATTEMPTS):
        written += repo.write(tenant_id, writes[written:], snapshot)
        if written == len(writes):
            break
        _backoff(attempt)
    for index, _ in new[written:]:
        errors.append(record_error(index, records[index], [Problem(CONFLICT, CONFLICT_MESSAGE)]))
    return write_answer([_shown(company, parsed[i].written, custom) for i, company in new[:written]], errors)


# ---------------------------------------------------------------- update


def _matches(company: dict[str, Any] | None, criteria: dict[str, str]) -> bool:
    if company is None:
        return False
    for name, value in criteria.items():
        stored = company.get(name)
        if stored is None:
            return False
        if name == "Name" and keys.normalized(stored) != keys.normalized(value):
            return False
        if name != "Name" and str(stored).strip() != value:
            return False
    return True


def _candidates(tenant_id: str, criteria: dict[str, str], snapshot: repo.Snapshot) -> list[str]:
    """Companies that may match (verified against their records afterwards)."""
    if "Gsid" in criteria:
        return [criteria["Gsid"]]
    found: set[str] | None = None
    for name, value in criteria.items():
        gsids = set(snapshot.gsids(repo.index_key(tenant_id, name, value)))
        found = gsids if found is None else found & gsids
    return sorted(found or ())


def _lookup_keys(tenant_id: str, criteria: dict[str, str]) -> list[Any]:
    if "Gsid" in criteria:
        return [repo.record_key(tenant_id, criteria["Gsid"])]
    return [repo.index_key(tenant_id, name, value) for name, value in criteria.items()]


def update_companies(principal: Principal, records: list[Any], keys_param: str | None) -> dict[str, Any]:
    """PUT /v1/data/objects/Company?keys=...: update the companies each record's keys match."""
    tenant_id = principal.tenant_id
    try:
        key_fields = schema.parse_keys(keys_param)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    records = check_count(records)
    custom = meta.for_object(principal.tenant, schema.OBJECT)
    parsed = [schema.parse_record(raw, insert=False, key_fields=key_fields, custom=custom) for raw in records]
    valid = [i for i, p in enumerate(parsed) if not p.problems]
    snapshot = repo.Snapshot(tenant_id)
    snapshot.fetch(
        k for i in valid for k in [*_lookup_keys(tenant_id, parsed[i].keys), *_reference_keys(tenant_id, parsed[i])]
    )
    hidden_references = _hidden_references(principal, [parsed[i] for i in valid], snapshot)
    for i in valid:
        _resolve(tenant_id, parsed[i], snapshot, hidden_references)
    valid = [i for i in valid if not parsed[i].problems]
    candidates = {i: _candidates(tenant_id, parsed[i].keys, snapshot) for i in valid}
    snapshot.fetch(repo.record_key(tenant_id, g) for found in candidates.values() for g in found)
    matched = {i: [g for g in candidates[i] if _matches(snapshot.company(g), parsed[i].keys)] for i in valid}
    visible_gsids = sorted({g for found in matched.values() for g in found})
    allowed = permitted(principal, [snapshot.company(g) or {} for g in visible_gsids])
    hidden = {g for g, ok in zip(visible_gsids, allowed, strict=True) if not ok}
    targets: dict[str, list[int]] = {}  # company -> input records, in input order
    self_parent: set[int] = set()
    for i in valid:
        for gsid in matched[i]:
            if gsid in hidden:
                continue
            if parsed[i].values.get("ParentCompany") == gsid:
                self_parent.add(i)
                continue
            targets.setdefault(gsid, []).append(i)
    updated, lost = _apply_updates(principal, parsed, targets, snapshot)

    errors = [record_error(i, records[i], p.problems) for i, p in enumerate(parsed) if p.problems]
    succeeded = {i for gsid in updated for i in targets[gsid]}
    for i in valid:
        if i in succeeded:
            continue
        if i in lost:
            problem = Problem(CONFLICT, CONFLICT_MESSAGE)
        elif i in self_parent:
            problem = Problem(schema.INVALID_FIELD, "ParentCompany: a company cannot be its own parent")
        else:
            problem = Problem(schema.NO_MATCH, schema.NO_MATCH_MESSAGE)
        errors.append(record_error(i, records[i], [problem]))
    shown = [
        _shown(company, {k: v for i in targets[gsid] for k, v in parsed[i].written.items()}, custom)
        for gsid, company in updated.items()
    ]
    return write_answer(shown, errors)


def _apply_updates(
    principal: Principal, parsed: list[Parsed], targets: dict[str, list[int]], snapshot: repo.Snapshot
) -> tuple[dict[str, dict[str, Any]], set[int]]:
    """Write every target company; a company whose transaction is cancelled by a
    concurrent change is read again, its keys checked again, and retried."""
    tenant_id = principal.tenant_id
    updated: dict[str, dict[str, Any]] = {}
    pending = list(targets)
    for attempt in range(ATTEMPTS):
        if attempt:
            _backoff(attempt - 1)
            snapshot = repo.Snapshot(tenant_id)  # fresh reads: the records and index items changed
            snapshot.fetch(repo.record_key(tenant_id, g) for g in pending)
        now = clock.iso()
        writes, afters = [], []
        for gsid in pending:
            before = snapshot.company(gsid)
            inputs = [i for i in targets[gsid] if _matches(before, parsed[i].keys)]
            if before is None or not inputs:
                continue  # deleted or changed by someone else meanwhile: no longer a match
            after = repo.public(before)
            for i in inputs:
                after.update(parsed[i].values)
            after = {k: v for k, v in after.items() if v is not None}
            after |= {"ModifiedDate": now, "ModifiedBy": principal.user_gsid}
            add, remove = repo.index_changes(before, after)
            words = repo.word_actions(tenant_id, before, after)
            writes.append(
                repo.CompanyWrite(gsid, repo.update_record(tenant_id, before, after), add, remove, words=words)
            )
            afters.append(after)
        done = repo.write(tenant_id, writes, snapshot)
        updated.update({w.gsid: a for w, a in zip(writes[:done], afters[:done], strict=True)})
        pending = [w.gsid for w in writes[done:]]
        if not pending:
            break
    lost = {i for gsid in pending for i in targets[gsid]}
    return dict(sorted(updated.items(), key=lambda kv: min(targets[kv[0]]))), lost


# ---------------------------------------------------------------- delete


def delete_company(principal: Principal, gsid: str) -> dict[str, Any]:
    """DELETE /v1/data/objects/Company/{gsid}: the record, its index entries, the counter."""
    tenant_id = principal.tenant_id
    if not ids.is_gsid(gsid, ids.COMPANY):
        raise BadRequest(f"GSID invalid or missing: {gsid!r} is not a Company GSID", code=schema.BAD_GSID)
    for attempt in range(ATTEMPTS):
        if attempt:
            _backoff(attempt - 1)
        snapshot = repo.Snapshot(tenant_id)
        snapshot.fetch([repo.record_key(tenant_id, gsid)])
        before = snapshot.company(gsid)
        if before is None or not permitted(principal, [before])[0]:
            raise NotFound(f"No Company with GSID {gsid}")
        write = repo.CompanyWrite(
            gsid,
            repo.delete_record(tenant_id, before),
            index_remove=repo.index_changes(before, None)[1],
            counter=-1,
            words=repo.word_actions(tenant_id, before, None),
        )
        if repo.write(tenant_id, [write], snapshot) == 1:
            return {"count": 1, "errors": None, "records": [{"Gsid": gsid}]}
    raise Conflict("The company changed while it was being deleted; try again")
