"""The fields input may write, per object (SPEC §4b): one catalog for every generic write
path — sync job mappings and their constants, bulk CSV job definitions, the Company Team
record API and team assignments — and for the store underneath them (``objects.bulk``).

- **Standard fields** are the ones the object's query schema declares
  (``objects.query.CATALOG``, whose User is ``users.listing.USER``): what a client can
  read by name is a field, and nothing else is.
- **Custom fields** are the tenant's own (``meta.fields``, names ending ``__gc``); a
  ``__gc`` name the tenant has not defined is no field.
- **Protected fields** are fields no input sets, on any path, refused with one message
  (``Refused``): ``Gsid``, ``CreatedDate``/``CreatedBy``, ``ModifiedDate``/``ModifiedBy``
  (the platform's), User ``IsSuperAdmin`` (SPEC §2.1: never settable), User
  ``permissionBundles`` (assigned through the users API, by its worker), User ``Status``
  (derived from IsActiveUser), CompanyTeam ``UserManagerRole1..3`` (computed from the
  member's manager chain, ``teams.managers``).
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

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cscore.meta.fields import NAME as CUSTOM_NAME
from cscore.meta.fields import CustomFields, CustomValueError
from cscore.meta.fields import for_object as custom_fields_of
from cscore.objects.shapes import SHAPES
from cscore.picklists.service import Picklists
from cscore.platform import ids, text
from cscore.query.model import Field, FieldType, Schema

OBJECTS = ("User", "Company", "Person", "CompanyPerson", "CompanyTeam")
MAX_TEXT = 255
_PLATFORM = "set by the platform"
PROTECTED: dict[str, dict[str, str]] = {
    name: {
        "Gsid": _PLATFORM,
        "CreatedDate": _PLATFORM,
        "CreatedBy": _PLATFORM,
        "ModifiedDate": _PLATFORM,
        "ModifiedBy": _PLATFORM,
    }
    for name in OBJECTS
}
PROTECTED["User"] |= {
    "IsSuperAdmin": "no input makes or unmakes a super admin",
    "permissionBundles": "assigned through the users API",
    "Status": "derived from IsActiveUser",
}
PROTECTED["CompanyTeam"] |= {f"UserManagerRole{k}": "computed from the member's managers" for k in (1, 2, 3)}
# Declared by a query schema but never stored: derived when read.
DERIVED = {"User": frozenset({"Status"})}
SET_ONCE = {"User": ("SfdcUserId",)}
# Standard picklist fields and the picklist category of their items.
STANDARD_PICKLISTS = {"User": {"LicenseType": "LicenseType", "SystemType": "SystemType"}}


class Refused(ValueError):
    """Input names something that is not a writable field, or a value the field cannot
    hold; the message names the field (each path adds where it was given)."""


@functools.cache
def _schemas() -> Mapping[str, Schema]:
    # Imported here: objects.query reads through permissions.access, which uses objects.bulk.
    from cscore.objects.query import CATALOG

    return {name: CATALOG[name] for name in OBJECTS}


@functools.cache
def stored_fields(object_name: str) -> frozenset[str]:
    """The standard fields a record item of the object may hold (protected ones
    included: the product writes them); custom fields are any ``__gc`` name (see
    ``is_custom_name``)."""
    return frozenset(_schemas()[object_name].fields) - DERIVED.get(object_name, frozenset())


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
        reason = PROTECTED[self.object_name].get(name)
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
        if value is None or isinstance(value, (dict, list)):
            raise Refused(f"{name}: must be a string, a number or a boolean")
        if isinstance(value, str) and text.unstorable(value):
            raise Refused(f"{name}: holds a character that cannot be stored (a lone surrogate or NUL)")
        if self.custom is not None and name in self.custom:
            try:
                return self.custom.normalize(name, value)
            except CustomValueError as exc:
                raise Refused(str(exc)) from None
        return _standard_value(self.object_name, found, value, self.picklists)


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
        target = SHAPES[field.target or object_name]
        if not ids.is_gsid(value, target.gsid_prefix):
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
    category = STANDARD_PICKLISTS.get(object_name, {}).get(name)
    if category is not None and picklists is not None:
        gsid = picklists.to_gsid(category, value)
        if gsid is None:
            raise Refused(f"{name}: {value!r} is not one of {', '.join(picklists.labels(category))}")
        return gsid
    if len(value.strip()) > MAX_TEXT:
        raise Refused(f"{name}: longer than {MAX_TEXT} characters")
    return value.strip()


def for_object(object_name: str, tenant_item: Mapping[str, Any] | None) -> WritableFields:
    """The writable fields of an object (one of ``OBJECTS``) for a tenant; without the
    tenant item, its standard fields only."""
    standard = {
        name: field
        for name, field in _schemas()[object_name].fields.items()
        if name not in PROTECTED[object_name] and name in stored_fields(object_name)
    }
    if tenant_item is None:
        return WritableFields(object_name, standard, None, None)
    return WritableFields(object_name, standard, custom_fields_of(tenant_item, object_name), Picklists(tenant_item))


def set_once(object_name: str, before: Mapping[str, Any], fields: Mapping[str, Any]) -> str | None:
    """Why ``fields`` cannot be applied to the stored record ``before`` (a set-once field
    it would change), or None."""
    for name in SET_ONCE.get(object_name, ()):
        stored, given = before.get(name), fields.get(name)
        if name in fields and stored not in (None, "") and given != stored:
            return f"{name}: already {stored}; it is set once and never changed"
    return None
