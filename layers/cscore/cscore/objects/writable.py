"""The fields input may write, per object (SPEC §4b): one catalog for every generic write
path — sync job mappings and their constants, bulk CSV job definitions, the Company Team
record API and team assignments — and for the store underneath them (``objects.bulk``).

- **Standard fields** are the ones the object catalog declares (``catalog``): what a
  client can read by name is a field, and nothing else is.
- **Custom fields** are the tenant's own (``meta.fields``, names ending ``__gc``); a
  ``__gc`` name the tenant has not defined is no field.
- **Protected fields** are fields no input sets, on any path, refused with one message
  (``Refused``) giving the catalog's reason: ``Gsid``, ``CreatedDate``/``CreatedBy``, ``ModifiedDate``/``ModifiedBy``
  (the platform's), User ``IsSuperAdmin`` (SPEC §2.1: never settable), User
  ``permissionBundles`` (assigned through the users API, by its worker), User ``Status``
  (derived from IsActiveUser), CompanyTeam ``UserManagerRole1..3`` (computed from the
  member's manager chain, ``users.managers``).
- **Set once**: User ``SfdcUserId`` may be written while it is empty and never changed
  after (``set_once``); the users API keeps its own rule and code for it (SPEC §2.3).
- Everything else is **not a field**: the item key and GSI keys (``PK``, ``SK``,
  ``GSI1PK``..``GSI3SK``), derived keys (``CompanyUser``), the attributes of index,
  unique, counter, credential and tenant items (``gsids``, ``v``, ``refs``, ``gsid``,
  ``total``, ``kind``, ``keyId``, ``userGsid``, ``isSuperAdmin``, ...). Input can never
  name one, whatever path it takes.

The store holds the product to the same catalog (``stored_fields``): protected fields
are fields the product itself writes (a synced user's IsSuperAdmin false, the manager
chain), so the store accepts them from its callers, and nothing that is no field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cscore.catalog import OBJECTS as CATALOG
from cscore.meta.fields import INVALID_FIELD, CustomFields, CustomValueError, with_code
from cscore.meta.fields import NAME as CUSTOM_NAME
from cscore.meta.fields import for_object as custom_fields_of
from cscore.picklists.service import Picklists
from cscore.platform import ids, text
from cscore.query.model import Field, FieldType

OBJECTS = tuple(CATALOG)


class Refused(ValueError):
    """Input names something that is not a writable field, or a value the field cannot
    hold; the message names the field (each path adds where it was given). ``code``: the
    Company data API's code for it, for paths that answer one per record."""

    def __init__(self, message: str, code: str = INVALID_FIELD) -> None:
        super().__init__(message)
        self.code = code

    @property
    def reason(self) -> str:
        return with_code(str(self), self.code)


def stored_fields(object_name: str) -> frozenset[str]:
    """The standard fields a record item of the object may hold (protected ones
    included: the product writes them); custom fields are any ``__gc`` name (see
    ``is_custom_name``)."""
    return CATALOG[object_name].stored_fields


def is_custom_name(name: str) -> bool:
    return bool(CUSTOM_NAME.match(name))


def not_a_field(object_name: str, name: object) -> str:
    return f"{name} is not a field of {object_name}"


@dataclass(frozen=True)
class WritableFields:
    """One object's writable fields as one tenant has them."""

    object_name: str
    standard: Mapping[str, Field]
    custom: CustomFields | None
    picklists: Picklists | None

    def field(self, name: str) -> Field:
        """The writable field ``name``; Refused when it is protected or no field at all."""
        reason = CATALOG[self.object_name].protected.get(name)
        if reason is not None:
            raise Refused(f"{name} is protected ({reason})")
        found = self.standard.get(name)
        if found is not None:
            return found
        if self.custom is not None and name in self.custom:
            return Field(name, FieldType.STRING)  # its type is the custom field's (``value``)
        raise Refused(not_a_field(self.object_name, name))

    def value(self, name: str, value: Any) -> Any:
        """``value`` as field ``name`` stores it (a label of a picklist as its item GSID);
        Refused naming the field when it cannot hold it. A value is a string, a number or
        a boolean: never an object, a list or null."""
        found = self.field(name)
        declared = CATALOG[self.object_name].by_name.get(name)
        if declared is not None and declared.form == "names":
            return _names(name, value, declared.max_length)
        if value is None or isinstance(value, (dict, list)):
            raise Refused(f"{name}: must be a string, a number or a boolean")
        if isinstance(value, str) and text.unstorable(value):
            raise Refused(f"{name}: holds a character that cannot be stored (a lone surrogate or NUL)")
        if self.custom is not None and name in self.custom:
            try:
                return self.custom.normalize(name, value)
            except CustomValueError as exc:
                raise Refused(str(exc), exc.code) from None
        return _standard_value(self.object_name, found, value, self.picklists)


def _names(name: str, value: Any, max_length: int) -> list[str]:
    """A list of names (Company Tags): a list of strings, or one string of names separated
    by ``;`` (how Salesforce sends a multi-select picklist and a CSV cell holds a list)."""
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise Refused(f"{name}: must be a list of strings")
    names = list(dict.fromkeys(trimmed for item in items if (trimmed := item.strip())))
    if any(text.unstorable(item) for item in names):
        raise Refused(f"{name}: holds a character that cannot be stored (a lone surrogate or NUL)")
    if any(len(item) > max_length for item in names):
        raise Refused(f"{name}: an item is longer than {max_length} characters")
    return names


def _standard_value(object_name: str, field: Field, value: Any, picklists: Picklists | None) -> Any:
    name, kind = field.name, field.type
    if kind is FieldType.BOOLEAN:
        if not isinstance(value, bool):
            raise Refused(f"{name}: must be true or false")
        return value
    if kind is FieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise Refused(f"{name}: must be a number")
        return value
    if not isinstance(value, str):
        raise Refused(f"{name}: must be a string")
    if kind is FieldType.GSID:
        target = CATALOG[field.target or object_name]
        if not ids.is_gsid(value, target.shape.gsid_prefix):
            raise Refused(f"{name}: {value!r} is not a {target.name} GSID")
        return value
    if kind is FieldType.DATE:
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            raise Refused(f"{name}: {value!r} is not a date (yyyy-MM-dd)") from None
    if kind is FieldType.DATETIME:
        try:
            datetime.fromisoformat(value.strip())
        except ValueError:
            raise Refused(f"{name}: {value!r} is not an ISO-8601 date-time") from None
        return value.strip()
    category = CATALOG[object_name][name].picklist
    if category is not None and picklists is not None:
        gsid = picklists.to_gsid(category, value)
        if gsid is None:
            raise Refused(f"{name}: {value!r} is not one of {', '.join(picklists.labels(category))}")
        return gsid
    limit = CATALOG[object_name][name].max_length
    if len(value.strip()) > limit:
        raise Refused(f"{name}: longer than {limit} characters")
    return value.strip()


def for_object(object_name: str, tenant_item: Mapping[str, Any] | None) -> WritableFields:
    """The writable fields of an object (one of ``OBJECTS``) for a tenant; without the
    tenant item, its standard fields only."""
    declared = CATALOG[object_name]
    standard = {name: declared.query_schema.fields[name] for name in declared.writable}
    if tenant_item is None:
        return WritableFields(object_name, standard, None, None)
    return WritableFields(object_name, standard, custom_fields_of(tenant_item, object_name), Picklists(tenant_item))


def set_once(object_name: str, before: Mapping[str, Any], fields: Mapping[str, Any]) -> str | None:
    """Why ``fields`` cannot be applied to the stored record ``before`` (a set-once field
    it would change), or None."""
    for name in CATALOG[object_name].set_once:
        stored, given = before.get(name), fields.get(name)
        if name in fields and stored not in (None, "") and given != stored:
            return f"{name}: already {stored}; it is set once and never changed"
    return None
