"""Which object a data write names, and Gainsight's API names of its fields (SPEC §7):
objects in any case and by their API names (``person``, ``company_person``), and
``Company_ID`` / ``Person_ID`` for CompanyPerson's CompanyId / PersonId."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cscore.catalog import ObjectDef
from cscore.meta import describe

# Gainsight's API names of fields, per object, in lower case -> the catalog's name.
FIELD_API_NAMES: Mapping[str, Mapping[str, str]] = {
    "CompanyPerson": {"company_id": "CompanyId", "person_id": "PersonId"},
}


def object_named(requested: str) -> ObjectDef:
    """The object a path names (either name, any case); 404 OBJECT_NOT_FOUND otherwise.
    The one place the data write API resolves object names."""
    return describe._resolve(requested)[0]


def field_name(definition: ObjectDef, name: str) -> str:
    """The catalog's name of a field given by Gainsight's API name (any case), else ``name``."""
    return FIELD_API_NAMES.get(definition.name, {}).get(name.lower(), name)


def record_with_field_names(definition: ObjectDef, raw: Any) -> Any:
    """An input record with Gainsight's API field names given as the catalog's (anything
    else as it is: the record's own checks report it)."""
    if not isinstance(raw, dict) or definition.name not in FIELD_API_NAMES:
        return raw
    return {field_name(definition, str(k)): v for k, v in raw.items()}
