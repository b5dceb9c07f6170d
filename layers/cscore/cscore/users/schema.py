"""The User object's fields (SPEC §2.1, §4b) and how each input value is checked and
normalised. Pure: no I/O, so every rule is tested fast. Custom fields (``__gc``) the
tenant defined for User are checked by their type (``meta.fields.CustomFields``); any
other ``__gc`` field is unknown, like any other unknown field."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cscore.meta.fields import CustomFields, CustomValueError
from cscore.picklists.service import Picklists
from cscore.platform import ids

EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$"
)
LOCALE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?(?:[_-][A-Z]{2})?$")
MAX_TEXT = 255

# Fields every create response shows (the seed's sample), picklists as GSIDs.
CREATE_RESPONSE_FIELDS = (
    "IsSuperAdmin", "Email", "CompanyID", "Gsid", "FirstName", "SFDCUserName", "SystemType",
    "Name", "LicenseType", "IsActiveUser", "GainsightLicenseEnabled", "LastName",
)  # fmt: skip
PICKLIST_FIELDS = {"LicenseType": "LicenseType", "SystemType": "SystemType"}
SYSTEM_FIELDS = ("Gsid", "CreatedDate", "ModifiedDate", "CreatedBy", "ModifiedBy")
INTERNAL = "Internal"


class FieldError(ValueError):
    """A value a record cannot be stored with; the message names the field."""


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


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("Name", _text("Name")),
        Field("FirstName", _text("FirstName")),
        Field("LastName", _text("LastName")),
        Field("Email", _email("Email")),
        Field("SFDCUserName", _email("SFDCUserName")),
        Field("SfdcUserId", _text("SfdcUserId", 18)),
        Field("LicenseType", _picklist("LicenseType")),
        Field("SystemType", _picklist("SystemType")),
        Field("IsSuperAdmin", _boolean("IsSuperAdmin")),
        Field("IsActiveUser", _boolean("IsActiveUser")),
        Field("GainsightLicenseEnabled", _boolean("GainsightLicenseEnabled")),
        Field("Manager", _gsid("Manager", ids.USER)),
        Field("CompanyID", _gsid("CompanyID", ids.COMPANY)),
        Field("Timezone", _timezone),
        Field("Locale", _locale),
        Field("Title", _text("Title")),
        Field("ProfilePicture", _text("ProfilePicture", 2048)),
    )
}
# Fields a User lookup can target, and the fields a looked-up object can be matched on.
LOOKUP_TARGETS = {"CompanyID": "Company", "Manager": "User"}


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
                raise FieldError(str(exc)) from None
        elif name in lookup_sources or name == "permissionBundles":
            continue
        elif name in SYSTEM_FIELDS:
            raise FieldError(f"{name}: is set by the system and cannot be written")
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
