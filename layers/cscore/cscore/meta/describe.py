"""Gainsight's metadata API (SPEC §7): the objects a tenant has and each one's fields, as
discovery clients (ETL taps, iPaaS connectors) read them before their first query.

Everything is derived from the object catalog and the tenant's custom field definitions:
a field is read-only when no input writes it (``ObjectField.writable``), required when the
catalog says so, and a GSID field names the object it looks up. Objects are named either
way, in any case: this product's names (``CompanyPerson``) or Gainsight's API names
(``company_person``); an answer names each object as the request did.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import OBJECTS, ObjectDef, ObjectField, resolve_object
from cscore.errors import NotFound
from cscore.meta import fields as custom
from cscore.query import FieldType

# Gainsight lists its user object among the system objects, the others as standard ones.
SYSTEM_OBJECTS = frozenset({"User"})
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_CUSTOM_TYPES = {kind: query_type.name for kind, query_type in custom.QUERY_TYPES.items()}


def _label(name: str) -> str:
    """A field or object name as words: ``SfdcAccountId`` -> ``Sfdc Account Id``."""
    return " ".join(_WORD.findall(name)) or name


def _object_type(definition: ObjectDef) -> str:
    return "SYSTEM" if definition.name in SYSTEM_OBJECTS else "STANDARD"


def _resolve(requested: str) -> tuple[ObjectDef, bool]:
    """The object a request names, and whether it used Gainsight's API name (in any case:
    ``company``, ``COMPANY``; this product's exact ``Company`` is its own); 404
    OBJECT_NOT_FOUND for any other name."""
    definition = resolve_object(requested)
    if definition is None:
        raise NotFound("Requested object not found.", code="OBJECT_NOT_FOUND")
    name = requested.strip()
    return definition, name != definition.name and name.lower() == definition.api_name


def list_objects() -> list[dict[str, Any]]:
    """Every object, by its API name: all are readable, take new records through their
    API and take custom fields (``meta.fields.OBJECTS``)."""
    return [
        {
            "objectName": definition.api_name,
            "label": _label(definition.name),
            "objectType": _object_type(definition),
            "keyPrefix": definition.shape.gsid_prefix,
            "readable": True,
            "createable": True,
            "schemaUpdateable": definition.name in custom.OBJECTS,
        }
        for definition in OBJECTS.values()
    ]


def _data_type(field: ObjectField) -> str:
    if field.form == "email":
        return "EMAIL"
    return field.type.name


def _standard_field(field: ObjectField, object_name: str, api_names: bool) -> dict[str, Any]:
    described: dict[str, Any] = {
        "fieldName": field.name,
        "label": _label(field.name),
        "dataType": _data_type(field),
        "required": field.required,
        "readOnly": not field.writable,
    }
    # A record's own Gsid is its identity, not a lookup.
    if field.type is FieldType.GSID and field.target and not (field.name == "Gsid" and field.target == object_name):
        described["lookupObject"] = OBJECTS[field.target].api_name if api_names else field.target
    return described


def _custom_fields(tenant_item: Mapping[str, Any], object_name: str) -> list[dict[str, Any]]:
    return [
        {
            "fieldName": name,
            "label": definition.get("label") or name,
            "dataType": _CUSTOM_TYPES.get(str(definition.get("type")), "STRING"),
            "required": False,
            "readOnly": False,
        }
        for name, definition in custom.definitions(tenant_item, object_name).items()
    ]


def describe(principal: Principal, requested: Iterable[str]) -> list[dict[str, Any]]:
    """Each named object with its standard fields (catalog order) and the tenant's custom
    fields (by name); 404 OBJECT_NOT_FOUND when any name is not an object."""
    described = []
    for name in requested:
        definition, api_names = _resolve(name)
        fields = [_standard_field(f, definition.name, api_names) for f in definition.fields]
        described.append(
            {
                "objectName": name,
                "label": _label(definition.name),
                "objectType": _object_type(definition),
                "fields": fields + _custom_fields(principal.tenant, definition.name),
            }
        )
    return described
