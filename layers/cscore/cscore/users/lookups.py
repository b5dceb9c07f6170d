"""Lookups of the users API (SPEC §2.2): resolve a target field of each user record
(CompanyID, Manager) from other fields of the record, through index items read in one
batch for the whole request.

A lookup's criteria are fields of the looked-up object that have index items (Company
Name / SfdcAccountId, User Email / SFDCUserName / SfdcUserId) or its Gsid. Several
criteria are ANDed. The oldest match is the one with the smallest GSID (GSIDs are
time-ordered). A record that lacks a criteria field does not match (its onNoMatch
applies); a criteria field absent from every record is the whole-request GU_2407.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cscore.errors import BadRequest
from cscore.platform import keys
from cscore.platform.dynamo import Item

OBJECT_FIELDS: dict[str, set[str]] = {
    "Company": {
        "Gsid", "Name", "SfdcAccountId", "Industry", "Type", "Website", "ParentCompany", "Csm", "Status", "Stage",
        "ARR", "MRR", "Employees", "LifecycleInWeeks", "OriginalContractDate", "RenewalDate",
        "CreatedDate", "ModifiedDate", "CreatedBy", "ModifiedBy",
    },
    "User": {
        "Gsid", "Name", "FirstName", "LastName", "Email", "SFDCUserName", "SfdcUserId", "LicenseType", "SystemType",
        "IsSuperAdmin", "IsActiveUser", "Manager", "Timezone", "Locale", "Title", "CompanyID", "ProfilePicture",
        "GainsightLicenseEnabled", "CreatedDate", "ModifiedDate", "CreatedBy", "ModifiedBy",
    },
}  # fmt: skip
# How a looked-up field is found: ("index", gsids list) or ("unique", one gsid) items.
MATCHABLE: dict[str, dict[str, str]] = {
    "Company": {"Gsid": "record", "Name": "index", "SfdcAccountId": "index"},
    "User": {"Gsid": "record", "Email": "index", "SFDCUserName": "unique", "SfdcUserId": "unique"},
}
TARGETS = {"CompanyID": "Company", "Manager": "User"}
MULTI_MATCH = ("FIRSTMATCH", "MARKASERROR")
ON_NO_MATCH = ("NULLABLE", "DEFAULTVALUE", "ERROR")


class LookupError_(BadRequest):
    """A whole-request lookup configuration error (HTTP 400, its own code)."""


@dataclass(frozen=True)
class Lookup:
    target: str
    object_name: str
    criteria: tuple[tuple[str, str], ...]  # (record field, looked-up object field)
    lookup_field: str
    multi_match: str
    on_no_match: str
    default_value: Any = None

    @property
    def sources(self) -> set[str]:
        return {source for source, _ in self.criteria}


def _fail(code: str, desc: str) -> LookupError_:
    return LookupError_(desc, code=code)


def parse(
    raw: Any,
    records: list[dict[str, Any]],
    targets: Mapping[str, str] = TARGETS,
    present: Callable[[str], bool] | None = None,
    where: str = "the user record",
    owner: str = "User",
) -> list[Lookup]:
    """The request's lookups, or the whole-request error of SPEC §2.2 for the first problem.
    ``targets`` maps each field a lookup may fill to the object it looks up; ``present``
    tells whether a criteria field is given (default: some record has it), ``where`` names
    what lacks it in the GU_2407 message (the Bulk API passes its CSV header)."""
    if present is None:
        present = lambda source: any(source in record for record in records)  # noqa: E731
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise _fail("GU_2403", "Lookup configuration invalid: lookups must be an object")
    unknown_objects = [
        str(spec.get("objectName"))
        for spec in raw.values()
        if isinstance(spec, dict) and spec.get("objectName") and spec.get("objectName") not in OBJECT_FIELDS
    ]
    if unknown_objects:
        raise _fail("GU_2403", f"Lookup objects [{', '.join(unknown_objects)}] are not valid")
    lookups = []
    for target, spec in raw.items():
        if target not in targets:
            raise _fail("GSOBJ_RLS005", f"Target field {target} does not exist on {owner} or is not a lookup field")
        if not isinstance(spec, dict):
            raise _fail("GU_2403", f"Lookup configuration invalid: {target} must be an object")
        object_name = spec.get("objectName")
        if not object_name:
            raise _fail("GU_2405", f"Lookup object is invalid: objectName of {target} is null or empty")
        if object_name != targets[target]:
            raise _fail(
                "GU_2403", f"Lookup configuration invalid: {target} looks up {targets[target]}, not {object_name}"
            )
        lookup_field = spec.get("lookupField")
        if not lookup_field:
            raise _fail("GU_2404", f"Lookup field cannot be null or empty ({target})")
        if not isinstance(lookup_field, str):
            raise _fail("GU_2403", f"Lookup configuration invalid: lookupField of {target} must be a field name")
        if lookup_field not in OBJECT_FIELDS[object_name]:
            raise _fail("GSOBJ_RLS004", f"Lookup field {lookup_field} does not exist on {object_name}")
        if lookup_field != "Gsid":  # CompanyID and Manager hold GSIDs: nothing else may be written there
            raise _fail("GU_2403", f"Lookup configuration invalid: {target} holds a GSID, so lookupField must be Gsid")
        fields = spec.get("fields")
        if not isinstance(fields, dict) or not fields:
            raise _fail("GU_2406", f"Lookup match criteria is invalid: fields of {target} is empty")
        for source, matched in fields.items():
            if not isinstance(matched, str) or matched not in MATCHABLE[object_name]:
                choices = ", ".join(MATCHABLE[object_name])
                raise _fail(
                    "GU_2406", f"Lookup match criteria is invalid: {object_name} is matched on {choices}, not {matched}"
                )
            if not present(source):
                raise _fail("GU_2407", f"Field {source} not present in {where}")
        multi = str(spec.get("multiMatchOption") or "FIRSTMATCH").upper()
        on_no_match = str(spec.get("onNoMatch") or "NULLABLE").upper()
        if multi not in MULTI_MATCH or on_no_match not in ON_NO_MATCH:
            raise _fail("GU_2403", f"Lookup configuration invalid: multiMatchOption or onNoMatch of {target}")
        if on_no_match == "DEFAULTVALUE" and "defaultValue" not in spec:
            raise _fail(
                "GU_2403", f"Lookup configuration invalid: onNoMatch DEFAULTVALUE needs a defaultValue ({target})"
            )
        lookups.append(
            Lookup(
                target, object_name, tuple(fields.items()), lookup_field, multi, on_no_match, spec.get("defaultValue")
            )
        )
    return lookups


def match_key(tenant_id: str, object_name: str, field: str, value: Any) -> Item:
    """The item that tells which records of ``object_name`` have ``field == value``."""
    kind = MATCHABLE[object_name][field]
    if kind == "record":
        return keys.record(tenant_id, object_name, str(value))
    if kind == "unique":
        return keys.unique_value(tenant_id, object_name, field, str(value))
    return keys.lookup_index(tenant_id, object_name, field, value)


def matches_in(item: dict[str, Any] | None, object_name: str, field: str) -> list[str]:
    """GSIDs an index, uniqueness or record item stands for (oldest first)."""
    if not item:
        return []
    kind = MATCHABLE[object_name][field]
    if kind == "record":
        return [str(item["Gsid"])]
    if kind == "unique":
        return [str(item["gsid"])]
    return sorted(str(g) for g in item.get("gsids") or [])


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    error: str | None = None


def resolve(
    lookup: Lookup, record: dict[str, Any], found: dict[tuple[str, str], dict[str, Any] | None], tenant_id: str
) -> Outcome:
    """Apply one lookup to one record, given the items read for the whole request."""
    candidates: list[str] | None = None
    for source, matched in lookup.criteria:
        value = record.get(source)
        if value in (None, ""):
            candidates = []
            break
        item_key = match_key(tenant_id, lookup.object_name, matched, value)
        gsids = matches_in(found.get((item_key["PK"]["S"], item_key["SK"]["S"])), lookup.object_name, matched)
        candidates = gsids if candidates is None else [g for g in candidates if g in gsids]
    candidates = candidates or []
    if not candidates:
        if lookup.on_no_match == "ERROR":
            return Outcome(error=f"{lookup.target}: no {lookup.object_name} matches {_criteria(lookup, record)}")
        return Outcome(value=lookup.default_value if lookup.on_no_match == "DEFAULTVALUE" else None)
    if len(candidates) > 1 and lookup.multi_match == "MARKASERROR":
        return Outcome(
            error=f"{lookup.target}: {len(candidates)} {lookup.object_name} records match {_criteria(lookup, record)}"
        )
    return Outcome(value=candidates[0])  # lookupField is Gsid (parse makes sure)


def _criteria(lookup: Lookup, record: dict[str, Any]) -> str:
    return " and ".join(f"{matched} = {record.get(source)!r}" for source, matched in lookup.criteria)
