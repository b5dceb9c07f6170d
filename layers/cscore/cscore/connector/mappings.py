"""A job's mappings checked against the writable fields of the objects it writes
(``objects.writable``): when a job is created or edited (``connector.jobs``: a 400 naming
the mapping) and again when it runs (``sync.writers``: a job stored before this check
existed writes nothing; its rows are errors).

A mapping (``connector.job_definitions``) is a copy ``{source, target}``, a derived
mapping ``{source, target, lookup: {object, by}}`` or a constant ``{target, value}``:

- ``target`` is a writable, non-protected field of the job's target object; a job that
  writes two objects (Company Person Sync) qualifies it (``Person.Email``,
  ``CompanyPerson.SfdcContactId``); an unqualified target is the job's target object's;
- a constant's ``value`` fits the field's type (a string, number or boolean, never an
  object, a list or null; a picklist label becomes its item GSID);
- a field that holds a GSID (Csm, Manager, CompanyId, ...) is filled by a lookup into the
  object it refers to, ``by`` one of that object's looked-up fields (``catalog.shapes``:
  unique and index fields), or ``companyResolution`` for Company; a Company Team's
  ``TeamRole`` by the label of a team role (``{"object": "TeamRole", "by": "label"}``,
  ``createMissing`` optional); no other field takes a lookup;
- a lookup of a record says what several matches and no match do (SPEC §4.5, issue 17):
  ``multiMatchOption`` ``FIRSTMATCH`` (the oldest match: the smallest GSID, GSIDs being
  time-ordered) or ``MARKASERROR`` (the row is an error); ``onNoMatch`` ``REJECT`` (the
  row is rejected and retried on every run, SPEC §3.3) or ``NULL`` (written with the
  field null). A field its record cannot go without (``REQUIRED_LOOKUPS``) only rejects.
  Absent, they are what the sync always did (``match_defaults``): several matches are an
  error; no match rejects a required field or a reference to the job's own object (a
  parent account, a manager: set after the run, rejected when still missing) and leaves
  any other field null. ``check`` and ``with_match_options`` fill them in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cscore.catalog import SHAPES
from cscore.connector import job_definitions as jd
from cscore.objects import writable
from cscore.query.model import FieldType

# The objects a job writes, by its target object.
WRITTEN_BY = {"CompanyPerson": ("Person", "CompanyPerson")}
TEAM_ROLE_LOOKUP = {"object": "TeamRole", "by": "label"}
_SOURCE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79})?$")
_KEYS = {"source", "target", "lookup", "value"}
_LOOKUP_KEYS = {"object", "by", "createMissing", "multiMatchOption", "onNoMatch"}
FIRSTMATCH, MARKASERROR = "FIRSTMATCH", "MARKASERROR"
REJECT, NULL = "REJECT", "NULL"
MULTI_MATCH = (FIRSTMATCH, MARKASERROR)
ON_NO_MATCH = (REJECT, NULL)
# Lookups whose record cannot exist without them (its key, or what it belongs to).
REQUIRED_LOOKUPS = {"CompanyTeam": ("CompanyId", "UserId"), "CompanyPerson": ("CompanyId",)}


class MappingError(ValueError):
    """A mapping that cannot be used; the message starts with where it is
    (``mappings[3].target: PK is not a field of Company``)."""


def check(mappings: Any, target_object: str, tenant_item: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The mappings of a job writing ``target_object``, checked; constants as stored.
    Raises MappingError naming the first mapping that is refused."""
    if not isinstance(mappings, list) or not mappings:
        raise MappingError("mappings: must be a non-empty list of {source, target} objects")
    objects = WRITTEN_BY.get(target_object, (target_object,))
    fields = {name: writable.for_object(name, tenant_item) for name in objects}
    return [_checked(mapping, f"mappings[{i}]", target_object, fields) for i, mapping in enumerate(mappings)]


def match_defaults(target_object: str, target: str, looked_up: str) -> dict[str, str]:
    """The match options of a lookup that gives none: what the sync has always done."""
    obj, name = _split(target, target_object)
    same_object = looked_up == obj == target_object
    required = name in REQUIRED_LOOKUPS.get(obj, ())
    return {"multiMatchOption": MARKASERROR, "onNoMatch": REJECT if required or same_object else NULL}


def with_match_options(mappings: list[dict[str, Any]], target_object: str) -> list[dict[str, Any]]:
    """The mappings with every lookup of a record carrying both match options (the
    defaults where a job stored before them has none)."""
    return [_with_options(m, target_object) for m in mappings]


def _with_options(mapping: dict[str, Any], target_object: str) -> dict[str, Any]:
    lookup = mapping.get("lookup")
    if not isinstance(lookup, dict) or lookup.get("object") == TEAM_ROLE_LOOKUP["object"]:
        return mapping
    defaults = match_defaults(target_object, str(mapping.get("target")), str(lookup.get("object")))
    return {**mapping, "lookup": {**defaults, **lookup}}


def _split(target: str, target_object: str) -> tuple[str, str]:
    """``Person.Email`` -> (Person, Email); ``Name`` -> (the job's target object, Name)."""
    obj, dot, name = target.partition(".")
    return (obj, name) if dot else (target_object, target)


def _checked(
    mapping: Any, where: str, target_object: str, fields: Mapping[str, writable.WritableFields]
) -> dict[str, Any]:
    if not isinstance(mapping, dict):
        raise MappingError(f"{where}: must be an object")
    unknown = sorted(set(mapping) - _KEYS)
    if unknown:
        raise MappingError(f"{where}.{unknown[0]}: unknown field (allowed: source, target, lookup, value)")
    target = mapping.get("target")
    if not isinstance(target, str) or not target:
        raise MappingError(f"{where}.target: required, a field API name")
    obj, name = _split(target, target_object)
    if obj not in fields:
        raise MappingError(f"{where}.target: a {target_object} job writes {' and '.join(fields)} fields only")
    try:
        field = fields[obj].field(name)
    except writable.Refused as exc:
        raise MappingError(f"{where}.target: {exc}") from None
    checked = dict(mapping)
    if "value" in mapping:
        if "source" in mapping or "lookup" in mapping:
            raise MappingError(f"{where}: a constant (value) has no source or lookup")
        try:
            checked["value"] = fields[obj].value(name, mapping["value"])
        except writable.Refused as exc:
            raise MappingError(f"{where}.value: {exc}") from None
        return checked
    source = mapping.get("source")
    if not isinstance(source, str) or not _SOURCE.match(source):
        raise MappingError(f"{where}.source: required, a Salesforce field API name")
    lookup = mapping.get("lookup")
    wanted = _lookup_kind(obj, field)
    if lookup is None:
        if wanted is not None:
            raise MappingError(f"{where}.lookup: {name} holds a {wanted} reference: map it with a lookup")
        return checked
    if wanted is None:
        raise MappingError(f"{where}.lookup: {name} is not filled by a lookup")
    _check_lookup(lookup, f"{where}.lookup", name, wanted)
    if wanted != TEAM_ROLE_LOOKUP["object"]:
        checked["lookup"] = _match_options(lookup, f"{where}.lookup", target_object, target, obj)
    return checked


def _lookup_kind(obj: str, field: Any) -> str | None:
    """What a field's lookup looks up (an object, or TeamRole), None when it takes none."""
    if field.type is FieldType.GSID:
        return str(field.target)
    if obj == "CompanyTeam" and field.name == "TeamRole":
        return "TeamRole"
    return None


def _check_lookup(lookup: Any, where: str, name: str, wanted: str) -> None:
    if not isinstance(lookup, dict) or not isinstance(lookup.get("object"), str) or not lookup.get("by"):
        raise MappingError(f"{where}: must be {{object, by}}")
    unknown = sorted(set(lookup) - _LOOKUP_KEYS)
    if unknown:
        raise MappingError(f"{where}.{unknown[0]}: unknown field (allowed: {', '.join(sorted(_LOOKUP_KEYS))})")
    if lookup["object"] != wanted:
        raise MappingError(f"{where}.object: {name} refers to {wanted}, not {lookup['object']}")
    if wanted == "TeamRole" and ({"multiMatchOption", "onNoMatch"} & set(lookup)):
        option = "multiMatchOption" if "multiMatchOption" in lookup else "onNoMatch"
        raise MappingError(f"{where}.{option}: a team role is matched by its label, or created; no match options")
    if "createMissing" in lookup and (wanted != "TeamRole" or not isinstance(lookup["createMissing"], bool)):
        raise MappingError(f"{where}.createMissing: only a TeamRole lookup takes it (true or false)")
    if wanted == "TeamRole":
        if lookup["by"] != TEAM_ROLE_LOOKUP["by"]:
            raise MappingError(f"{where}.by: a team role is looked up by its label")
        return
    shape = SHAPES[wanted]
    supported = [*shape.unique_fields, *shape.index_fields]
    if wanted == "Company":
        supported.append(jd.COMPANY_RESOLUTION)
    if lookup["by"] not in supported:
        raise MappingError(f"{where}.by: {wanted} is looked up by {', '.join(supported)}")


def _match_options(lookup: dict[str, Any], where: str, target_object: str, target: str, obj: str) -> dict[str, Any]:
    """The lookup with its match options checked (upper case) and the defaults filled in."""
    options = match_defaults(target_object, target, str(lookup["object"]))
    for option, allowed in (("multiMatchOption", MULTI_MATCH), ("onNoMatch", ON_NO_MATCH)):
        if option not in lookup:
            continue
        given = lookup[option]
        if not isinstance(given, str) or given.strip().upper() not in allowed:
            raise MappingError(f"{where}.{option}: must be {' or '.join(allowed)}, not {given!r}")
        options[option] = given.strip().upper()
    name = _split(target, target_object)[1]
    if options["onNoMatch"] == NULL and name in REQUIRED_LOOKUPS.get(obj, ()):
        raise MappingError(f"{where}.onNoMatch: a {obj} record cannot be written without {name}: REJECT only")
    return {**lookup, **options}
