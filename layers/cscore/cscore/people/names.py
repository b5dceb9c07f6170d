"""Which object a data write names, and its fields by Gainsight's API names (SPEC §7):
objects in any case and by their API names (``person``, ``company_person``), fields in
any case and by theirs (``Company_ID`` / ``Person_ID``) — the catalog's names
(``catalog.resolve_object``, ``ObjectDef.field_named``)."""

from __future__ import annotations

from typing import Any

from cscore.catalog import ObjectDef, resolve_object
from cscore.errors import NotFound


def object_named(requested: str) -> ObjectDef:
    """The object a path names (either name, any case); 404 OBJECT_NOT_FOUND otherwise.
    The one place the data write API resolves object names."""
    definition = resolve_object(requested)
    if definition is None:
        raise NotFound("Requested object not found.", code="OBJECT_NOT_FOUND")
    return definition


def field_name(definition: ObjectDef, name: str) -> str:
    """The catalog's name of a field given by any of its names in any case, else ``name``."""
    field = definition.field_named(name)
    return field.name if field is not None else name


def record_with_field_names(definition: ObjectDef, raw: Any) -> Any:
    """An input record with Gainsight's API field names given as the catalog's (anything
    else as it is: the record's own checks report it)."""
    if not isinstance(raw, dict):
        return raw
    api_names = {api.lower() for field in definition.fields for api in field.api_names}
    return {field_name(definition, str(k)) if str(k).lower() in api_names else k: v for k, v in raw.items()}
