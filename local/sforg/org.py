"""One org's state: its clock, records, deletion log, API usage, faults and request stats.

Every method here runs under the server's lock; nothing in this module locks on its own.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sforg import ids
from sforg.errors import SfError, not_found
from sforg.schema import NUMBER_TYPES, SOBJECTS, STRING_TYPES, SObject
from sforg.spec import OrgSpec
from sforg.timefmt import DAY_MS, format_dt, ms_of, parse_date, parse_dt

BASE_MS = ms_of(datetime(2026, 1, 1, tzinfo=UTC))  # seeded data lies in the 60 days before this
RETENTION_MS = 15 * DAY_MS  # recycle bin and getDeleted history
REPLICATION_WINDOW_MS = 30 * DAY_MS  # getUpdated history
REQUEST_LOG_SIZE = 500


@dataclass
class Fault:
    """A planned failure: the next `remaining` matching requests of the org fail this way."""

    kind: str
    remaining: int
    status: int = 503
    delay: float = 2.0
    path_contains: str | None = None


class Table:
    """Records of one object in creation order, plus the deletion log getDeleted reads."""

    __slots__ = ("deletions", "rows")

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self.deletions: deque[tuple[int, str]] = deque()


class Org:
    """An org: records keyed by 18-char id; updates replace the record dict (so query snapshots stay put)."""

    def __init__(self, spec: OrgSpec, org_id: str) -> None:
        self.spec = spec
        self.org_id = org_id
        self.tag = ids.org_tag(org_id)
        self.name = spec.name
        self.username = spec.username
        self.password = spec.password
        self.daily_api_limit = spec.daily_api_limit
        self.created_ms = BASE_MS - 61 * DAY_MS
        self.offset_ms = 0
        self.last_stamp = 0
        self.seq = 0
        self.tables: dict[str, Table] = {name: Table() for name in SOBJECTS}
        self.login_user_id = ""
        self.faults: list[Fault] = []
        self.api_day = -1
        self.api_used = 0
        self.stats_api_calls = 0
        self.stats_token_requests = 0
        self.stats_requests: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)

    # -- clock ----------------------------------------------------------------------------------
    def now_ms(self) -> int:
        """Wall-clock UTC plus this org's offset (the sandbox clock hook moves it)."""
        return int(time.time() * 1000) + self.offset_ms

    def next_stamp(self) -> int:
        """A mutation timestamp: the org's now, strictly after the previous one."""
        self.last_stamp = max(self.now_ms(), self.last_stamp + 1)
        return self.last_stamp

    def observe_stamp(self, at: int) -> None:
        self.last_stamp = max(self.last_stamp, at)

    # -- ids ------------------------------------------------------------------------------------
    def new_id(self, obj: str) -> str:
        self.seq += 1
        return ids.make_id(ids.KEY_PREFIXES[obj], self.tag, self.seq)

    def observe_id(self, rid: str) -> None:
        if rid[3:8] == self.tag:
            self.seq = max(self.seq, ids.sequence_of(rid))

    # -- descriptors ----------------------------------------------------------------------------
    @property
    def managed_package(self) -> bool:
        return any(r["NamespacePrefix"] == "JBCXM" for r in self.tables["PackageLicense"].rows.values())

    def descriptor(self) -> dict[str, Any]:
        return {
            "orgId": self.org_id,
            "name": self.name,
            "username": self.username,
            "password": self.password,
            "managedPackage": self.managed_package,
        }

    def user(self, user_id: str) -> dict[str, Any] | None:
        return self.tables["User"].rows.get(user_id)

    # -- records --------------------------------------------------------------------------------
    def table(self, obj: str) -> Table:
        return self.tables[obj]

    def get(self, obj: str, rid: str) -> dict[str, Any] | None:
        try:
            return self.tables[obj].rows.get(ids.to18(rid))
        except ValueError:
            return None

    def insert(self, obj: str, record: dict[str, Any]) -> None:
        self.tables[obj].rows[record["Id"]] = record
        self.observe_id(record["Id"])
        self.observe_stamp(record["SystemModstamp"])

    def build(self, obj: str, payload: dict[str, Any], at: int) -> dict[str, Any]:
        """A new record from a JSON payload: validated, defaults filled, server fields assigned."""
        sobj = SOBJECTS[obj]
        if not sobj.hook_createable:
            raise SfError(400, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", f"entity type {obj} does not support insert")
        values = self._coerce(sobj, payload, creating=True)
        record: dict[str, Any] = dict.fromkeys(f.name for f in sobj.fields)
        record.update(_DEFAULTS.get(obj, {}))
        if obj == "Account":
            record["OwnerId"] = self.login_user_id
        record.update(values)
        missing = [f.name for f in sobj.fields if f.required and record.get(f.name) in (None, "")]
        if missing:
            raise SfError(
                400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing
            )
        if obj == "User":
            self._check_username(record["Username"], None)
        record["Id"] = self.new_id(obj)
        record["CreatedDate"] = record["LastModifiedDate"] = record["SystemModstamp"] = at
        if sobj.soft_delete:
            record["IsDeleted"] = False
        _compute_name(obj, record)
        return record

    def changes(self, obj: str, rid: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Validated field changes for an update (raises the error Salesforce would answer)."""
        sobj = SOBJECTS[obj]
        record = self.get(obj, rid)
        if record is None:
            raise not_found()
        if record.get("IsDeleted"):
            raise SfError(400, "ENTITY_IS_DELETED", "entity is deleted", [])
        values = self._coerce(sobj, payload, creating=False)
        if obj == "User" and "Username" in values:
            self._check_username(values["Username"], record["Id"])
        return record["Id"], values

    def update(self, obj: str, rid: str, values: dict[str, Any], at: int) -> dict[str, Any]:
        table = self.tables[obj]
        record = dict(table.rows[rid])
        record.update(values)
        _compute_name(obj, record)
        record["LastModifiedDate"] = record["SystemModstamp"] = at
        table.rows[rid] = record
        self.observe_stamp(at)
        return record

    def check_delete(self, obj: str, rid: str) -> str:
        """The 18-char id to delete, or the error Salesforce answers."""
        sobj = SOBJECTS[obj]
        record = self.get(obj, rid)
        if record is None:
            raise not_found()
        if not sobj.deletable:
            raise SfError(
                400, "DELETE_FAILED", f"Cannot delete {obj} records; deactivate them instead (IsActive = false).", []
            )
        if record.get("IsDeleted"):
            raise SfError(400, "ENTITY_IS_DELETED", "entity is deleted", [])
        return str(record["Id"])

    def delete(self, obj: str, rid: str, at: int) -> list[tuple[str, str]]:
        """Delete as Salesforce cascades it; every cascaded change carries the same timestamp."""
        removed = [(obj, rid)]
        self._delete_one(obj, rid, at)
        if obj == "Account":
            for cid, contact in list(self.tables["Contact"].rows.items()):
                if contact["AccountId"] == rid and not contact["IsDeleted"]:
                    self._delete_one("Contact", cid, at)
                    removed.append(("Contact", cid))
            for mid, member in list(self.tables["AccountTeamMember"].rows.items()):
                if member["AccountId"] == rid:
                    self._delete_one("AccountTeamMember", mid, at)
                    removed.append(("AccountTeamMember", mid))
            for aid, account in list(self.tables["Account"].rows.items()):
                if account["ParentId"] == rid and not account["IsDeleted"]:
                    self.update("Account", aid, {"ParentId": None}, at)
        self.observe_stamp(at)
        return removed

    def _delete_one(self, obj: str, rid: str, at: int) -> None:
        table = self.tables[obj]
        if SOBJECTS[obj].hard_delete:
            del table.rows[rid]
        else:
            record = dict(table.rows[rid])
            record["IsDeleted"] = True
            record["LastModifiedDate"] = record["SystemModstamp"] = at
            table.rows[rid] = record
        table.deletions.append((at, rid))

    def purge(self) -> None:
        """Forget deletions older than 15 days, and empty the recycle bin of them."""
        horizon = self.now_ms() - RETENTION_MS
        for table in self.tables.values():
            while table.deletions and table.deletions[0][0] < horizon:
                _, rid = table.deletions.popleft()
                record = table.rows.get(rid)
                if record is not None and record.get("IsDeleted"):
                    del table.rows[rid]

    def earliest_date_available(self) -> int:
        """Up to when deletions have been purged (never before the org existed)."""
        return max(self.created_ms, self.now_ms() - RETENTION_MS)

    def _check_username(self, username: str, own_id: str | None) -> None:
        for uid, user in self.tables["User"].rows.items():
            if uid != own_id and user["Username"].lower() == username.lower():
                raise SfError(400, "DUPLICATE_USERNAME", f"Duplicate Username: {username}", ["Username"])

    def _coerce(self, sobj: SObject, payload: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise SfError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
        values: dict[str, Any] = {}
        for key, raw in payload.items():
            if key == "attributes":
                continue
            fdef = sobj.field(key)
            if fdef is None:
                raise SfError(400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {sobj.name}", [key])
            if not (fdef.createable if creating else fdef.updateable):
                raise SfError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {fdef.name}. Please check the security settings of this field "
                    "and verify that it is read/write for your profile or permission set.",
                    [fdef.name],
                )
            values[fdef.name] = self._value(sobj.name, fdef.name, fdef.type, fdef.nillable, fdef.reference_to, raw)
        return values

    def _value(self, obj: str, name: str, ftype: str, nillable: bool, ref: tuple[str, ...], raw: Any) -> Any:
        def bad() -> SfError:
            return SfError(400, "INVALID_TYPE_ON_FIELD_IN_RECORD", f"{name}: value not of required type: {raw}", [name])

        if raw is None or (raw == "" and ftype not in STRING_TYPES):
            if not nillable:
                raise SfError(400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{name}]", [name])
            return None
        if ftype in STRING_TYPES:
            if not isinstance(raw, str):
                raise bad()
            return raw
        if ftype == "boolean":
            if not isinstance(raw, bool):
                raise bad()
            return raw
        if ftype in NUMBER_TYPES:
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise bad()
            return int(raw) if ftype == "int" else float(raw)
        if ftype == "datetime":
            try:
                return parse_dt(str(raw))
            except ValueError:
                raise bad() from None
        if ftype == "date":
            try:
                return parse_date(str(raw))
            except ValueError:
                raise bad() from None
        if ftype == "reference":
            target = self.get(ref[0], raw) if isinstance(raw, str) else None
            if target is None or target.get("IsDeleted"):
                raise SfError(
                    400, "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {raw} ({obj}.{name})", [name]
                )
            return target["Id"]
        raise bad()

    # -- API usage, faults, stats ---------------------------------------------------------------
    def api_usage(self) -> tuple[int, int]:
        day = self.now_ms() // DAY_MS
        if day != self.api_day:
            self.api_day, self.api_used = day, 0
        return self.api_used, self.daily_api_limit

    def count_api_call(self) -> bool:
        """Count one REST call; False (and not counted) when the daily allowance is spent."""
        used, limit = self.api_usage()
        if used >= limit:
            return False
        self.api_used += 1
        self.stats_api_calls += 1
        return True

    def take_fault(self, kinds: tuple[str, ...], path: str) -> Fault | None:
        for fault in self.faults:
            if fault.kind in kinds and (not fault.path_contains or fault.path_contains in path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def record_request(self, method: str, path: str, status: int) -> None:
        self.stats_requests.append({"method": method, "path": path, "status": status})

    def stats(self) -> dict[str, Any]:
        return {
            "apiCalls": self.stats_api_calls,
            "tokenRequests": self.stats_token_requests,
            "apiUsage": {"used": self.api_usage()[0], "max": self.daily_api_limit},
            "requests": list(self.stats_requests),
        }

    def reset_stats(self) -> None:
        self.stats_api_calls = 0
        self.stats_token_requests = 0
        self.stats_requests.clear()


_DEFAULTS: dict[str, dict[str, Any]] = {
    "User": {
        "TimeZoneSidKey": "America/Los_Angeles",
        "LocaleSidKey": "en_US",
        "LanguageLocaleKey": "en_US",
        "IsActive": True,
        "UserType": "Standard",
    },
    "AccountTeamMember": {"AccountAccessLevel": "Read"},
}


def _compute_name(obj: str, record: dict[str, Any]) -> None:
    if obj in ("User", "Contact"):
        record["Name"] = " ".join(p for p in (record.get("FirstName"), record.get("LastName")) if p)


def json_value(ftype: str, value: Any) -> Any:
    """A stored value as Salesforce writes it in JSON (datetimes as strings)."""
    if ftype == "datetime":
        return format_dt(value)
    return value


def record_json(obj: str, record: dict[str, Any], version: str | None = None) -> dict[str, Any]:
    """Every field of a record, in describe order, with its attributes header."""
    sobj = SOBJECTS[obj]
    out: dict[str, Any] = {"attributes": {"type": obj}}
    if version:
        out["attributes"]["url"] = f"/services/data/v{version}/sobjects/{obj}/{record['Id']}"
    for fdef in sobj.fields:
        out[fdef.name] = json_value(fdef.type, record.get(fdef.name))
    return out
