"""The users API (SPEC §2): create and (de)activate users, with partial success.

Every request costs a constant number of DynamoDB calls, whatever its size: one
BatchGetItem for everything the records refer to (taken names, lookups, managers,
companies, bundles) and as few transactions as the writes fit in, each storing its
users' follow-up work with them (cscore.users.outbox).

A write stops before a transaction it has no time left for (the Lambda context's
remaining time, cscore.platform.deadline): the records it did not attempt are reported
with ``GU_2412`` beside those written, never left half done without a word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cscore.auth.principal import Principal
from cscore.errors import ApiError, BadRequest
from cscore.meta import fields as meta
from cscore.picklists.service import Picklists
from cscore.picklists.system import system_item_gsid
from cscore.platform import clock, ids, keys, table
from cscore.platform.deadline import NO_DEADLINE, Deadline
from cscore.platform.records import record_of
from cscore.users import events, managers, outbox, repository
from cscore.users import lookups as lookup_rules
from cscore.users.schema import (
    CREATE_RESPONSE_FIELDS,
    DEFAULT_BUNDLE,
    EXTERNAL,
    INTERNAL,
    PICKLIST_FIELDS,
    FieldError,
    bundles_of,
    check_fields,
)

MAX_RECORDS = 50
NOT_ATTEMPTED = ("GU_2412", "not attempted: the request ran out of time before this record; send it again")


class BulkFailed(ApiError):
    """No record could be written: HTTP 400 with the per-record errors in ``data``."""

    status = 400


def _records_of(body: Any) -> list[Any]:
    if not isinstance(body, dict):
        raise BadRequest("body: must be a JSON object with records")
    records = body.get("records")
    if not isinstance(records, list) or not records:
        raise BadRequest("records: must be a non-empty list")
    if len(records) > MAX_RECORDS:
        raise BadRequest(f"records: at most {MAX_RECORDS} records per request, got {len(records)}")
    return records


@dataclass
class Batch:
    """Outcome of a bulk request: what was written, and each rejected record with why."""

    records: list[Any]
    written: dict[int, dict[str, Any]] = field(default_factory=dict)
    errors: dict[int, tuple[str, str]] = field(default_factory=dict)

    def reject(self, index: int, code: str, message: str) -> None:
        self.errors.setdefault(index, (code, message))

    def pending(self) -> list[int]:
        return [i for i in range(len(self.records)) if i not in self.errors and i not in self.written]

    def answer(self, shown: list[dict[str, Any]], failure_code: str, failure_desc: str) -> dict[str, Any]:
        status = "SUCCESS" if not self.errors else ("PARTIAL_SUCCESS" if shown else "FAILED")
        data = {
            "status": status,
            "successRowCount": len(shown),
            "records": shown,
            "errors": [
                {"index": i, "record": self.records[i], "errorCode": code, "errorMessage": message}
                for i, (code, message) in sorted(self.errors.items())
            ],
            "success": not self.errors,
        }
        if not shown:
            raise BulkFailed(failure_desc, code=failure_code, data=data)
        return data


def create_users(
    principal: Principal, body: Any, notify: str | None = None, deadline: Deadline = NO_DEADLINE
) -> dict[str, Any]:
    """POST /v1/users/services: valid records are created, invalid ones reported."""
    if notify not in (None, "true", "false"):
        raise BadRequest("notify: must be true or false")
    records = _records_of(body)
    batch, lookup_targets = write_new_users(principal, body, notify, deadline)
    shown = [_create_view(batch.written[i], [*records[i], *lookup_targets]) for i in sorted(batch.written)]
    return batch.answer(shown, "GU_2401", "Bulk user create failed")


def write_new_users(
    principal: Principal,
    body: Any,
    notify: str | None = None,
    deadline: Deadline = NO_DEADLINE,
    stored_with: list[dict[str, Any]] | None = None,
) -> tuple[Batch, set[str]]:
    """Create the valid records of ``body``: the batch (``written`` holds each created
    user as stored) and the fields its lookups wrote. ``stored_with``, by record, holds
    attributes a caller of the layer stores with a user besides its fields (SCIM's
    externalId); never input."""
    records = _records_of(body)
    batch = Batch(records)
    dict_records = [r if isinstance(r, dict) else {} for r in records]
    lookups = lookup_rules.parse(body.get("lookups"), dict_records)
    sources = set().union(*(lookup.sources for lookup in lookups)) if lookups else set()
    picklists = Picklists(principal.tenant)
    custom = meta.for_object(principal.tenant, "User")
    tenant_id = principal.tenant_id
    now = clock.iso()

    users: dict[int, dict[str, Any]] = {}
    bundles: dict[int, list[str]] = {}
    for i, raw in enumerate(records):
        if not isinstance(raw, dict):
            batch.reject(i, "GS_1400", "record: must be a JSON object")
            continue
        try:
            user = check_fields(raw, picklists, sources, custom)
            wanted_bundles = bundles_of(raw)
        except FieldError as exc:
            batch.reject(i, exc.code, str(exc))
            continue
        missing = _missing_for_create(user)
        if missing:
            batch.reject(i, "GS_1400", missing)
            continue
        users[i] = user
        bundles[i] = wanted_bundles or []

    # Everything the records refer to, in one strongly consistent batch read.
    lookup_targets = {lookup.target for lookup in lookups}
    wanted: list[dict[str, Any]] = []
    for i, user in users.items():
        wanted.append(keys.unique_value(tenant_id, "User", "SFDCUserName", user["SFDCUserName"]))
        if user.get("SfdcUserId"):
            wanted.append(keys.unique_value(tenant_id, "User", "SfdcUserId", user["SfdcUserId"]))
        wanted += _reference_keys(tenant_id, user, dict_records[i], bundles[i], lookups, lookup_targets)
    found = _read(wanted)

    def exists(item_key: dict[str, Any]) -> bool:
        return found.get((item_key["PK"]["S"], item_key["SK"]["S"])) is not None

    taken_in_request: set[str] = set()
    for i, user in list(users.items()):
        problem: tuple[str, str] | None = None
        name_key = keys.unique_value(tenant_id, "User", "SFDCUserName", user["SFDCUserName"])
        normalized_name = keys.normalized(user["SFDCUserName"])
        if exists(name_key) or normalized_name in taken_in_request:
            problem = ("GS_1409", f"SFDCUserName: {user['SFDCUserName']} is already taken")
        elif user.get("SfdcUserId") and exists(keys.unique_value(tenant_id, "User", "SfdcUserId", user["SfdcUserId"])):
            problem = ("GS_1409", f"SfdcUserId: {user['SfdcUserId']} already belongs to another user")
        problem = problem or _resolve_references(
            tenant_id, user, user, dict_records[i], bundles[i], lookups, lookup_targets, found
        )
        problem = problem or _external_without_company(user)
        if problem:
            batch.reject(i, *problem)
            del users[i]
            continue
        taken_in_request.add(normalized_name)
        _complete_for_create(user, principal.user_gsid, now)
        if stored_with:
            user.update({k: v for k, v in stored_with[i].items() if v is not None})

    follow_up = outbox.FollowUp(
        "add", notify == "true", {user["Gsid"]: bundles[i] or [DEFAULT_BUNDLE] for i, user in users.items()}
    )
    written = repository.insert(tenant_id, list(users.values()), follow_up, now, deadline)
    by_gsid = {u["Gsid"]: i for i, u in users.items()}
    for gsid in written.lost:
        batch.reject(by_gsid[gsid], "GS_1409", "a concurrent change to the same user name or e-mail; retry")
    for gsid in written.not_attempted:
        batch.reject(by_gsid[gsid], *NOT_ATTEMPTED)
    for gsid in written.done:
        batch.written[by_gsid[gsid]] = users[by_gsid[gsid]]
    events.publish(tenant_id, written.outbox_ids)
    return batch, lookup_targets


def _missing_for_create(user: dict[str, Any]) -> str | None:
    if user.get("IsSuperAdmin") is True:
        return "IsSuperAdmin: the API cannot create super admins"
    internal = user.get("SystemType") in (None, _internal_gsid())
    if internal:
        for required in ("Email", "SFDCUserName"):
            if not user.get(required):
                return f"{required}: required for internal users"
        if not user.get("Name") and not (user.get("FirstName") and user.get("LastName")):
            return "Name: required, or both FirstName and LastName"
    elif not user.get("SFDCUserName"):
        return "SFDCUserName: required"
    return None


def _external_without_company(user: dict[str, Any]) -> tuple[str, str] | None:
    """External users belong to a company (SPEC §2.1); checked after the lookups."""
    if user.get("SystemType") == system_item_gsid("SystemType", EXTERNAL) and not user.get("CompanyID"):
        return "GS_1400", "CompanyID: required for external users (given directly or resolved by a lookup)"
    return None


def _internal_gsid() -> str:
    return system_item_gsid("SystemType", INTERNAL)


def _complete_for_create(user: dict[str, Any], by: str, now: str) -> None:
    """Defaults of SPEC §2.1 and the system fields."""
    user.setdefault("SystemType", _internal_gsid())
    if not user.get("Name"):
        user["Name"] = f"{user.get('FirstName', '')} {user.get('LastName', '')}".strip()
    user.setdefault("IsActiveUser", True)
    user["IsSuperAdmin"] = False
    user.setdefault("GainsightLicenseEnabled", False)
    if user["SystemType"] == _internal_gsid():
        user["CompanyID"] = None  # CompanyID is for external users only
    user["permissionBundles"] = []  # assigned by the users worker, after the create
    user["Gsid"] = ids.new_gsid(ids.USER)
    user["CreatedDate"] = user["ModifiedDate"] = now
    user["CreatedBy"] = user["ModifiedBy"] = by


def _create_view(user: dict[str, Any], given: list[str]) -> dict[str, Any]:
    """The seed's response keys, and every other field that was given or looked up;
    picklists as GSIDs."""
    shown = {name: user.get(name) for name in CREATE_RESPONSE_FIELDS}
    for name in given:
        if name in user and name != "permissionBundles":
            shown[name] = user[name]
    return shown


def update_status(principal: Principal, body: Any, status: str | None) -> dict[str, Any]:
    """PUT /v1/users/services/status: (de)activate valid users; invalid GSIDs are listed."""
    if status not in ("true", "false"):
        raise BadRequest("status: must be true or false")
    if not isinstance(body, list) or not body:
        raise BadRequest("body: must be a non-empty JSON array of user GSIDs")
    if len(body) > MAX_RECORDS:
        raise BadRequest(f"body: at most {MAX_RECORDS} GSIDs per request, got {len(body)}")
    tenant_id = principal.tenant_id
    candidates = list(dict.fromkeys(g for g in body if ids.is_gsid(g, ids.USER)))
    found = table.read_many([keys.user(tenant_id, g) for g in candidates])
    valid = [g for g, item in zip(candidates, found, strict=True) if item is not None]
    invalid = [g for g in body if g not in valid]
    if valid:
        repository.set_active(tenant_id, valid, status == "true", clock.iso(), principal.user_gsid)
    return {"status": "COMPLETED", "invalidUserIds": invalid}


UPDATE_KEYS = ("SFDCUserName", "Gsid", "SfdcUserId")


def _bundle_action(body: dict[str, Any]) -> str:
    action = str(body.get("permissionBundleAction") or "add").strip().lower()
    action = "add" if action == "append" else action
    if action not in ("add", "overwrite"):
        raise BadRequest("permissionBundleAction: must be add or overwrite")
    return action


def _identity_key(tenant_id: str, key: str, value: str) -> dict[str, Any]:
    if key == "Gsid":
        return keys.user(tenant_id, value)
    return keys.unique_value(tenant_id, "User", key, value)


def _pk(item_key: dict[str, Any]) -> tuple[str, str]:
    return item_key["PK"]["S"], item_key["SK"]["S"]


def update_users(principal: Principal, body: Any, key: str | None, deadline: Deadline = NO_DEADLINE) -> dict[str, Any]:
    """PUT /v1/users/services?key=: update users found by SFDCUserName, Gsid or SfdcUserId.
    Named steps: check the records, read who they are, plan each change, write."""
    update = write_user_changes(principal, body, key, deadline)
    records = update.records
    shown = [
        update.custom.labelled(
            _labelled_view(update.batch.written[i], [*records[i], *update.lookup_targets], update.picklists)
        )
        for i in sorted(update.batch.written)
    ]
    return update.batch.answer(shown, "GU_2402", "Bulk user update failed")


def write_user_changes(
    principal: Principal,
    body: Any,
    key: str | None,
    deadline: Deadline = NO_DEADLINE,
    stored_with: list[dict[str, Any]] | None = None,
    read_as: list[str | None] | None = None,
) -> _Update:
    """Update the users ``body`` names by ``key``: the update, whose ``batch.written``
    holds each updated user as stored. ``stored_with``: attributes stored with each user
    besides its fields (None removes one); ``read_as``: the ModifiedDate the caller read
    each user at (a user changed since is not written: GS_1409)."""
    if key not in UPDATE_KEYS:
        raise BadRequest(f"Key provided in the request is not supported: {key}", code="GU_2409")
    records = _records_of(body)
    update = _Update(principal, key, _bundle_action(body), Batch(records), records)
    update.stored_with = stored_with or []
    update.read_as = read_as or []
    update.lookups = lookup_rules.parse(body.get("lookups"), update.dict_records)
    update.check_records()
    found = update.read_references()
    stored = update.read_stored(found)
    planned = update.plan(stored, found)
    update.write(planned, deadline)
    return update


@dataclass
class _Update:
    """One users update request as it goes through its steps."""

    principal: Principal
    key: str
    action: str
    batch: Batch
    records: list[Any]
    lookups: list[lookup_rules.Lookup] = field(default_factory=list)
    changes: dict[int, dict[str, Any]] = field(default_factory=dict)
    bundles: dict[int, list[str] | None] = field(default_factory=dict)
    key_values: dict[int, str] = field(default_factory=dict)
    stored_with: list[dict[str, Any]] = field(default_factory=list)
    read_as: list[str | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tenant_id = self.principal.tenant_id
        self.dict_records = [r if isinstance(r, dict) else {} for r in self.records]
        self.picklists = Picklists(self.principal.tenant)
        self.custom = meta.for_object(self.principal.tenant, "User")
        self.now = clock.iso()  # one time for the records and their follow-up work

    @property
    def lookup_targets(self) -> set[str]:
        return {lookup.target for lookup in self.lookups}

    def check_records(self) -> None:
        """Each record's key and fields; a bad record is reported, the others go on."""
        key = self.key
        sources = set().union(*(lookup.sources for lookup in self.lookups)) if self.lookups else set()
        for i, raw in enumerate(self.records):
            if not isinstance(raw, dict):
                self.batch.reject(i, "GS_1400", "record: must be a JSON object")
                continue
            value = raw.get(key)
            if not isinstance(value, str) or not value.strip():
                self.batch.reject(i, "GS_1400", f"{key}: the key field is required in every record")
                continue
            try:
                fields = {k: v for k, v in raw.items() if not (k == "Gsid" and key == "Gsid")}
                self.changes[i] = check_fields(fields, self.picklists, sources, self.custom)
                self.bundles[i] = bundles_of(raw)
            except FieldError as exc:
                self.batch.reject(i, exc.code, str(exc))
                continue
            self.key_values[i] = value.strip()
        normalized = [keys.normalized(v) if key != "Gsid" else v for v in self.key_values.values()]
        if len(set(normalized)) != len(normalized):
            raise BadRequest(
                "Conflict in updating users: the same user is in the request more than once", code="GU_2411"
            )

    def _identity(self, i: int) -> dict[str, Any]:
        return _identity_key(self.tenant_id, self.key, self.key_values[i])

    def read_references(self) -> dict[tuple[str, str], dict[str, Any] | None]:
        """Read 1: who the records are, and everything they refer to."""
        wanted: list[dict[str, Any]] = []
        for i, change in self.changes.items():
            wanted.append(self._identity(i))
            if self.key != "SFDCUserName" and change.get("SFDCUserName"):
                wanted.append(keys.unique_value(self.tenant_id, "User", "SFDCUserName", change["SFDCUserName"]))
            wanted += _reference_keys(
                self.tenant_id, change, self.dict_records[i], self.bundles[i] or [], self.lookups, self.lookup_targets
            )
        return _read(wanted)

    def read_stored(self, found: dict[tuple[str, str], dict[str, Any] | None]) -> dict[int, dict[str, Any] | None]:
        """Read 2: the stored users (already read when the key is their GSID)."""
        gsid_of: dict[int, str] = {}
        for i in list(self.changes):
            identity = found.get(_pk(self._identity(i)))
            if identity is None:
                self.batch.reject(i, "GS_1400", f"{self.key}: no user {self.key_values[i]} in this tenant")
                del self.changes[i]
                continue
            gsid_of[i] = identity["Gsid"] if self.key == "Gsid" else identity["gsid"]
        if len(set(gsid_of.values())) != len(gsid_of):
            raise BadRequest(
                "Conflict in updating users: the same user is in the request more than once", code="GU_2411"
            )
        if self.key == "Gsid":
            return {i: found[_pk(keys.user(self.tenant_id, g))] for i, g in gsid_of.items()}
        users_read = table.read_many([keys.user(self.tenant_id, g) for g in gsid_of.values()])
        return dict(zip(gsid_of, users_read, strict=True))

    def plan(
        self, stored: dict[int, dict[str, Any] | None], found: dict[tuple[str, str], dict[str, Any] | None]
    ) -> dict[int, repository.UserChange]:
        """Each change checked against the stored user and what it refers to."""
        new_names: set[str] = set()
        planned: dict[int, repository.UserChange] = {}
        for i, change in self.changes.items():
            before = record_of(stored.get(i) or {})
            if not before:
                self.batch.reject(i, "GS_1400", f"{self.key}: no user {self.key_values[i]} in this tenant")
                continue
            problem = _update_problem(before, change, self.key, found, self.tenant_id, new_names)
            if i < len(self.read_as) and self.read_as[i] not in (None, before["ModifiedDate"]):
                problem = problem or ("GS_1409", "the user changed since it was read; read it again")
            after = _activated({**before, **change}, change)
            if i < len(self.stored_with):
                after.update(self.stored_with[i])
                after = {k: v for k, v in after.items() if not (k in self.stored_with[i] and v is None)}
            problem = problem or _resolve_references(
                self.tenant_id,
                after,
                change,
                self.dict_records[i],
                self.bundles[i] or [],
                self.lookups,
                self.lookup_targets,
                found,
                own=before["Gsid"],
            )
            if {"SystemType", "CompanyID"} & (change.keys() | self.lookup_targets):
                problem = problem or _external_without_company(after)
            if problem:
                self.batch.reject(i, *problem)
                continue
            if after.get("Manager") == before["Gsid"]:
                raise BadRequest(f"Same user cannot be added as manager: {before['Gsid']}", code="GU_2410")
            if after.get("SystemType") == _internal_gsid():
                after["CompanyID"] = None
            after["ModifiedDate"], after["ModifiedBy"] = self.now, self.principal.user_gsid
            new_names.add(keys.normalized(after["SFDCUserName"]))
            planned[i] = repository.UserChange(before, after)
        return planned

    def write(self, planned: dict[int, repository.UserChange], deadline: Deadline) -> None:
        """Read 3 (only when an Email or name moves index items), the transactions, the
        managers' chains, and each record's outcome in the batch."""
        tenant_id, batch = self.tenant_id, self.batch
        moved = [c for c in planned.values() if repository.index_entries(c.before) != repository.index_entries(c.after)]
        index_items: dict[repository.IndexEntry, dict[str, Any] | None] = {}
        if moved:
            entries = sorted(
                set().union(*(repository.index_entries(c.before) | repository.index_entries(c.after) for c in moved))
            )
            items = table.read_many([keys.lookup_index(tenant_id, "User", field, value) for field, value in entries])
            index_items = dict(zip(entries, items, strict=True))
        bundles = self.bundles
        follow_up = outbox.FollowUp(
            self.action,
            bundles={c.after["Gsid"]: bundles[i] or [] for i, c in planned.items() if bundles[i] is not None},
        )
        written = repository.update(tenant_id, list(planned.values()), index_items, follow_up, self.now, deadline)
        index_of = {c.after["Gsid"]: i for i, c in planned.items()}
        moved_managers = [
            g
            for g in written.done
            if planned[index_of[g]].before.get("Manager") != planned[index_of[g]].after.get("Manager")
        ]
        managers.refresh_for_users(tenant_id, moved_managers, self.principal.user_gsid)
        for gsid in written.lost:
            batch.reject(index_of[gsid], "GS_1409", "the user changed while it was being updated; retry")
        for gsid in written.not_attempted:
            batch.reject(index_of[gsid], *NOT_ATTEMPTED)
        for gsid in written.done:
            batch.written[index_of[gsid]] = planned[index_of[gsid]].after
        events.publish(tenant_id, written.outbox_ids)


def _activated(after: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """A user activated again, by any path, is no longer deleted through SCIM."""
    if change.get("IsActiveUser") is True:
        after.pop(repository.DELETED_BY_SCIM, None)
    return after


def _update_problem(
    before: dict[str, Any],
    change: dict[str, Any],
    key: str,
    found: dict[tuple[str, str], Any],
    tenant_id: str,
    new_names: set[str],
) -> tuple[str, str] | None:
    """Why a stored user cannot take this change (None when it can)."""
    if "IsSuperAdmin" in change and change["IsSuperAdmin"] != bool(before.get("IsSuperAdmin")):
        return "GS_1400", "IsSuperAdmin: the API cannot change the super admin field"
    if key != "SfdcUserId" and "SfdcUserId" in change and change["SfdcUserId"] != before.get("SfdcUserId"):
        return "GS_1400", "SfdcUserId: cannot be changed through the API"
    new_name = change.get("SFDCUserName")
    if key != "SFDCUserName" and new_name and keys.normalized(new_name) != keys.normalized(before["SFDCUserName"]):
        owner = found.get(_pk(keys.unique_value(tenant_id, "User", "SFDCUserName", new_name)))
        if (owner and owner.get("gsid") != before["Gsid"]) or keys.normalized(new_name) in new_names:
            return "GS_1409", f"SFDCUserName: {new_name} is already taken"
    return None


def _labelled_view(user: dict[str, Any], given: list[str], picklists: Picklists) -> dict[str, Any]:
    """The update answer: the seed's keys and the given fields, picklists as labels."""
    shown = _create_view(user, given)
    for name, category in PICKLIST_FIELDS.items():
        if name in shown:
            shown[name] = picklists.to_label(category, shown[name])
    return shown


REFERENCES = (("Manager", "User"), ("CompanyID", "Company"))


def _read(item_keys: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any] | None]:
    """Items by (PK, SK), each read once, in one strongly consistent batch."""
    unique = {_pk(k): k for k in item_keys}
    return dict(zip(unique, table.read_many(list(unique.values())), strict=True))


def _reference_keys(
    tenant_id: str,
    fields: dict[str, Any],
    raw: dict[str, Any],
    bundles: list[str],
    lookups: list[lookup_rules.Lookup],
    lookup_targets: set[str],
) -> list[dict[str, Any]]:
    """What a record refers to: users and companies named by GSID, bundles, and the index
    items its lookups match on."""
    wanted = [
        keys.record(tenant_id, obj, fields[name])
        for name, obj in REFERENCES
        if fields.get(name) and name not in lookup_targets
    ]
    wanted += [keys.permission_bundle(tenant_id, name) for name in bundles]
    for lookup in lookups:
        for source, matched in lookup.criteria:
            if raw.get(source) not in (None, ""):
                wanted.append(lookup_rules.match_key(tenant_id, lookup.object_name, matched, raw[source]))
    return wanted


def _resolve_references(
    tenant_id: str,
    target: dict[str, Any],
    fields: dict[str, Any],
    raw: dict[str, Any],
    bundles: list[str],
    lookups: list[lookup_rules.Lookup],
    lookup_targets: set[str],
    found: dict[tuple[str, str], Any],
    own: str | None = None,
) -> tuple[str, str] | None:
    """Apply the lookups to ``target`` and check that every reference exists (from the
    batch ``found``); the first problem, or None."""
    for lookup in lookups:
        outcome = lookup_rules.resolve(lookup, raw, found, tenant_id)
        if outcome.error:
            return "GS_1400", outcome.error
        target[lookup.target] = outcome.value
    for name, obj in REFERENCES:
        given = fields.get(name) if name not in lookup_targets else None
        if given and given != own and found.get(_pk(keys.record(tenant_id, obj, given))) is None:
            return "GS_1400", f"{name}: no {obj} {given} in this tenant"
    missing = [b for b in bundles if found.get(_pk(keys.permission_bundle(tenant_id, b))) is None]
    if missing:
        return "GS_1400", f"permissionBundles: unknown bundle {', '.join(missing)}"
    return None
