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
  ``createMissing`` optional); no other field takes a lookup.
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
_LOOKUP_KEYS = {"object", "by", "createMissing"}


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
    obj, name = target.split(".", 1) if "." in target else (target_object, target)
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
        raise MappingError(f"{where}.{unknown[0]}: unknown field (allowed: object, by, createMissing)")
    if lookup["object"] != wanted:
        raise MappingError(f"{where}.object: {name} refers to {wanted}, not {lookup['object']}")
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
