"""How the users API checks and normalises each input value of a User field (SPEC §2.1,
§4b). The fields, their types, lengths and forms are the catalog's (``catalog.USER``);
this module holds the users API's own rules for them. Pure: no I/O, so every rule is
tested fast. Custom fields (``__gc``) the tenant defined for User are checked by their
type (``meta.fields.CustomFields``); any other ``__gc`` field is unknown, like any other
unknown field."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cscore.catalog import OBJECTS, USER, ObjectField, Write
from cscore.catalog.model import MAX_TEXT
from cscore.meta.fields import INVALID_FIELD, CustomFields, CustomValueError
from cscore.meta.fields import NAME as CUSTOM_NAME
from cscore.picklists.service import Picklists
from cscore.platform import ids
from cscore.query.model import FieldType

EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)
LOCALE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?(?:[_-][A-Z]{2})?$")

# Fields every create response shows (the seed's sample), picklists as GSIDs.
CREATE_RESPONSE_FIELDS = (
    "IsSuperAdmin", "Email", "CompanyID", "Gsid", "FirstName", "SFDCUserName", "SystemType",
    "Name", "LicenseType", "IsActiveUser", "GainsightLicenseEnabled", "LastName",
)  # fmt: skip
PICKLIST_FIELDS = USER.picklists
SYSTEM_FIELDS = USER.platform_fields
INTERNAL = "Internal"
EXTERNAL = "External"
DEFAULT_BUNDLE = "DEFAULT_BUNDLE"  # every tenant has it; users created without bundles get it


class FieldError(ValueError):
    """A value a record cannot be stored with; the message names the field. ``code``: the
    record's error code (a custom field's is the one every write path answers for it,
    ``meta.fields.PROBLEM_CODES``)."""

    def __init__(self, message: str, code: str = "GS_1400") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Field:
    name: str
    check: Callable[[Any, Picklists], Any]


def _text(name: str, limit: int = MAX_TEXT) -> Callable[[Any, Picklists], Any]:
    def check(value: Any, _: Picklists) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise FieldError(f"{name}: must be a string")
        if len(value) > limit:
            raise FieldError(f"{name}: longer than {limit} characters")
        return value.strip()

    return check


def _email(name: str) -> Callable[[Any, Picklists], Any]:
    def check(value: Any, picklists: Picklists) -> Any:
        value = _text(name)(value, picklists)
        if value is not None and not EMAIL.match(value):
            raise FieldError(f"{name}: {value!r} is not a valid e-mail address")
        return value

    return check


def _boolean(name: str) -> Callable[[Any, Picklists], Any]:
    def check(value: Any, _: Picklists) -> Any:
        if value is not None and not isinstance(value, bool):
            raise FieldError(f"{name}: must be true or false")
        return value

    return check


def _gsid(name: str, prefix: str) -> Callable[[Any, Picklists], Any]:
    def check(value: Any, _: Picklists) -> Any:
        if value is not None and not ids.is_gsid(value, prefix):
            raise FieldError(f"{name}: {value!r} is not a valid GSID")
        return value

    return check


def _picklist(name: str) -> Callable[[Any, Picklists], Any]:
    def check(value: Any, picklists: Picklists) -> Any:
        if value is None:
            return None
        gsid = picklists.to_gsid(PICKLIST_FIELDS[name], value)
        if gsid is None:
            raise FieldError(f"{name}: {value!r} is not one of {', '.join(picklists.labels(PICKLIST_FIELDS[name]))}")
        return gsid

    return check


def _timezone(value: Any, picklists: Picklists) -> Any:
    value = _text("Timezone")(value, picklists)
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise FieldError(f"Timezone: {value!r} is not an IANA time zone") from exc
    return value


def _locale(value: Any, picklists: Picklists) -> Any:
    value = _text("Locale")(value, picklists)
    if value is not None and not LOCALE.match(value):
        raise FieldError(f"Locale: {value!r} is not a locale such as en_US")
    return value


def _check(field: ObjectField) -> Callable[[Any, Picklists], Any]:
    """The users API's check of a field, by its declared type and form."""
    if field.type is FieldType.BOOLEAN:
        return _boolean(field.name)
    if field.type is FieldType.GSID:
        return _gsid(field.name, OBJECTS[field.target or USER.name].shape.gsid_prefix)
    if field.type is FieldType.PICKLIST:
        return _picklist(field.name)
    if field.form == "email":
        return _email(field.name)
    return _FORMS.get(field.form or "", _text(field.name, field.max_length))


_FORMS = {"timezone": _timezone, "locale": _locale}
# Every stored field but the platform's, and those given as lists (``bundles_of``).
FIELDS: dict[str, Field] = {
    f.name: Field(f.name, _check(f))
    for f in USER.fields
    if f.stored and f.write is not Write.PLATFORM and f.form != "names"
}
# Fields a User lookup can target, and the fields a looked-up object can be matched on.
LOOKUP_TARGETS = {name: f.target for name, f in USER.writable.items() if f.target}


def check_fields(
    record: dict[str, Any], picklists: Picklists, lookup_sources: set[str], custom: CustomFields | None = None
) -> dict[str, Any]:
    """The record's known fields, checked and normalised; raises FieldError for the first
    bad one. Fields that only feed a lookup are dropped (accepted, not stored)."""
    out: dict[str, Any] = {}
    for name, value in record.items():
        if name in FIELDS:
            out[name] = FIELDS[name].check(value, picklists)
        elif custom is not None and name in custom:
            try:
                out[name] = custom.normalize(name, value)
            except CustomValueError as exc:
                raise FieldError(str(exc), exc.code) from None
        elif name in lookup_sources or name == "permissionBundles":
            continue
        elif name in SYSTEM_FIELDS:
            raise FieldError(f"{name}: is set by the system and cannot be written")
        elif CUSTOM_NAME.match(name):
            raise FieldError(f"{name}: no custom field of User has this name", INVALID_FIELD)
        else:
            raise FieldError(f"{name}: unknown field of User")
    return out


def bundles_of(record: dict[str, Any]) -> list[str] | None:
    bundles = record.get("permissionBundles")
    if bundles is None:
        return None
    if not isinstance(bundles, list) or not all(isinstance(b, str) and b.strip() for b in bundles):
        raise FieldError("permissionBundles: must be a list of bundle names")
    return [b.strip() for b in bundles]
