"""The Company object's fields (SPEC §4b) and how a written value is checked and stored.

Pure Python: no I/O. Each problem with a record is a ``Problem`` carrying the GSOBJ code
Gainsight answers for it (SPEC §1.2):

- ``GSOBJ_1001`` a string longer than its field allows (255 characters);
- ``GSOBJ_1002`` an invalid field: unknown or system field, wrong type (e.g. a number
  field given text), a convenience field not supported yet;
- ``GSOBJ_1004`` a GSID invalid or missing: a malformed GSID, a reference (ParentCompany,
  Csm, or one resolved by name or e-mail) to nothing, a missing ``Gsid`` key value;
- ``GSOBJ_1005`` an invalid date;
- ``GSOBJ_1007`` null in a required field (Name on insert, or set to null on update; a
  missing key field value).

Values as stored: strings trimmed ("" or null clears an optional field), numbers as
JSON numbers (numeric strings accepted), dates as ISO ``yyyy-MM-dd`` (the UTC date of an
epoch-milliseconds or ISO-8601 instant; a bare date as written), a list of names
(``Tags``) as its trimmed strings without blanks or repeats (an empty list clears it).

Field names are case-insensitive (SPEC §7: ``NAME`` is ``Name``, ``Arr`` is ``ARR``, in
records and in ``keys=``); two names of one field in one record are a ``GSOBJ_1002``
naming both.

Custom fields (``__gc``, SPEC §4b) defined for Company are written like standard ones,
checked by their type (``meta.fields.CustomFields``): a custom date takes the same forms
as a standard date, a picklist a label or an item GSID (stored as the GSID); a ``__gc``
field that is not defined is an unknown field.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from cscore.catalog import COMPANY, OBJECTS, ObjectDef
from cscore.meta.fields import PROBLEM_CODES, CustomFields, CustomValueError
from cscore.platform import ids
from cscore.query.model import FieldType

OBJECT = COMPANY.name
MAX_RECORDS = 50
MAX_NAMES = 100  # items of a list of names (Tags)

# The fields a client may write and their rules are the catalog's (``catalog.COMPANY``).
FIELDS = COMPANY.writable
REQUIRED = COMPANY.required
SYSTEM_FIELDS = COMPANY.platform_fields
INDEXED_FIELDS = COMPANY.shape.index_fields


def key_fields(definition: ObjectDef) -> tuple[str, ...]:
    """Fields that may appear in ``keys=``: Gsid, and those with lookup index or unique
    items (a key is matched through them, never by reading every record)."""
    return ("Gsid", *definition.shape.index_fields, *definition.shape.unique_fields)


KEY_FIELDS = key_fields(COMPANY)
# Convenience fields resolved to a stored field when written, never stored themselves.
BY_NAME = COMPANY.aliases
# Given together, they name the CSM by its users' FullName index ("first last").
CSM_NAME_PARTS = COMPANY.alias_parts["CsmFullName"]

INVALID_FIELD = "GSOBJ_1002"
TOO_LONG = "GSOBJ_1001"
BAD_GSID = "GSOBJ_1004"
BAD_DATE = "GSOBJ_1005"
REQUIRED_NULL = "GSOBJ_1007"
NO_MATCH = "GSOBJ_1011"
NO_MATCH_MESSAGE = "No entity matches the given criteria"

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_EPOCH_MS = re.compile(r"^-?\d{9,15}$")  # shorter digit strings are ISO basic dates (20260301)
_DYNAMO_MAX = 1e125  # DynamoDB numbers: magnitude below 10^126, 38 significant digits


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass
class Parsed:
    """One input record, checked. ``values`` holds stored fields to set (None clears);
    ``by_name`` the convenience fields to resolve; ``keys`` the key values to match."""

    values: dict[str, Any] = field(default_factory=dict)
    by_name: dict[str, str | None] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    written: dict[str, str] = field(default_factory=dict)  # field -> the name the record gave it


def parse_keys(raw: str | None, definition: ObjectDef = COMPANY) -> tuple[str, ...]:
    """``keys=F1[,F2,F3]`` of an update of ``definition``'s records, as the fields' own
    names (``keys=gsid`` is ``Gsid``). Raises ValueError naming the problem."""
    supported = key_fields(definition)
    names = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if not names:
        raise ValueError(f"keys: at least one key field is required ({', '.join(supported)})")
    unique = tuple(dict.fromkeys(names))
    if len(unique) > 3:
        raise ValueError(f"keys: at most 3 key fields, got {len(unique)}")
    resolved: dict[str, str] = {}  # field -> as written
    for name in unique:
        field = definition.field_named(name)
        if field is None or field.name not in supported:
            raise ValueError(f"keys: {name} is not supported as a key field; supported: {', '.join(supported)}")
        if field.name in resolved:
            raise ValueError(f"keys: {resolved[field.name]}, {name}: name the same field; give it once")
        resolved[field.name] = name
    return tuple(resolved)


def field_names(
    raw: dict[str, Any], custom: CustomFields | None, definition: ObjectDef = COMPANY
) -> tuple[dict[str, str], list[Problem]]:
    """Each name of an input record (as written) -> the name it means (a field, a
    convenience field or a custom field, in any case: ``NAME`` is ``Name``, ``Arr`` is
    ``ARR``; an unknown name stays itself), and a problem per name that means a field
    another name of the record means already (``Arr`` and ``ARR``)."""
    name_parts = [part for parts in definition.alias_parts.values() for part in parts]
    own = {name.lower(): name for name in (*name_parts, *definition.aliases)}
    own.update({name.lower(): name for name in (custom.types if custom is not None else ())})
    meant: dict[str, str] = {}
    first: dict[str, str] = {}  # meant -> the first name given for it
    problems: list[Problem] = []
    for written in raw:
        field = definition.field_named(written)
        name = field.name if field is not None else own.get(written.lower(), written)
        if name in first:
            problems.append(Problem(INVALID_FIELD, f"{first[name]}, {written}: name the same field; give it once"))
            continue
        first[name] = written
        meant[written] = name
    return meant, problems


def parse_record(
    raw: Any,
    *,
    insert: bool,
    key_fields: tuple[str, ...] = (),
    custom: CustomFields | None = None,
    definition: ObjectDef = COMPANY,
) -> Parsed:
    """Check one input record of an insert (``insert=True``) or of an update by ``key_fields``
    of ``definition``'s records (Company, Person, CompanyPerson: the data write API);
    ``custom`` holds the tenant's custom fields of that object."""
    parsed = Parsed()
    if not isinstance(raw, dict):
        parsed.problems.append(Problem(INVALID_FIELD, "record: must be a JSON object"))
        return parsed
    by_name = definition.aliases
    name_parts = {part for parts in definition.alias_parts.values() for part in parts}
    meant, parsed.problems = field_names(raw, custom, definition)
    parsed.written = {name: written for written, name in meant.items()}
    given = {name: raw[written] for written, name in meant.items()}
    for name, value in given.items():
        if name in key_fields:
            _key_value(parsed, name, value, definition)
        elif name in definition.platform_fields:
            hint = "; to match by it use keys=Gsid" if name == "Gsid" and not insert else ""
            parsed.problems.append(Problem(INVALID_FIELD, f"{name}: system field, set by the platform{hint}"))
        elif name in name_parts or name in by_name:
            _by_name_value(parsed, name, value)
        elif name in definition.writable:
            _field_value(parsed, name, value, insert=insert, definition=definition)
        elif custom is not None and name in custom:
            _custom_value(parsed, custom, name, value, insert=insert)
        else:
            parsed.problems.append(Problem(INVALID_FIELD, _unknown(name, definition)))
    _combine_csm_name(parsed)
    for convenience, target in by_name.items():
        if convenience in parsed.by_name and target in given:
            parsed.problems.append(Problem(INVALID_FIELD, f"{target}, {convenience}: give one of them, not both"))
    if insert:
        for name in definition.required:
            if name not in given:
                parsed.problems.append(Problem(REQUIRED_NULL, f"{name}: required field is missing"))
    for name in key_fields:
        if name not in given:
            code = BAD_GSID if name == "Gsid" else REQUIRED_NULL
            parsed.problems.append(Problem(code, f"{name}: key field is missing from the record"))
    return parsed


def _unknown(name: str, definition: ObjectDef) -> str:
    return f"{name}: unknown field of {definition.name}"


def _key_value(parsed: Parsed, name: str, value: Any, definition: ObjectDef) -> None:
    if name == "Gsid":
        if not ids.is_gsid(value, definition.shape.gsid_prefix):
            parsed.problems.append(Problem(BAD_GSID, f"Gsid: {value!r} is not a {definition.name} GSID"))
            return
        parsed.keys[name] = value
        return
    if not isinstance(value, str) or not value.strip():
        parsed.problems.append(Problem(REQUIRED_NULL, f"{name}: key field needs a non-empty string value"))
        return
    parsed.keys[name] = value.strip()


def _combine_csm_name(parsed: Parsed) -> None:
    """CSMFirstName + CSMLastName -> CsmFullName (both or neither; not with CsmEmail)."""
    given = [part for part in CSM_NAME_PARTS if part in parsed.by_name]
    if not given:
        return
    first, last = (parsed.by_name.pop(part, None) for part in CSM_NAME_PARTS)
    if len(given) == 1:
        parsed.problems.append(Problem(INVALID_FIELD, "CSMFirstName, CSMLastName: give both to name the CSM"))
    elif "CsmEmail" in parsed.by_name:
        parsed.problems.append(Problem(INVALID_FIELD, "CsmEmail, CSMFirstName: give one way to name the CSM"))
    else:
        parsed.by_name["CsmFullName"] = f"{first} {last}" if first and last else None


def _by_name_value(parsed: Parsed, name: str, value: Any) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        parsed.by_name[name] = None  # clears the field it resolves to
    elif isinstance(value, str):
        parsed.by_name[name] = value.strip()
    else:
        parsed.problems.append(Problem(INVALID_FIELD, f"{name}: must be a string"))


def _field_value(parsed: Parsed, name: str, value: Any, *, insert: bool, definition: ObjectDef) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if name in definition.required:
            parsed.problems.append(Problem(REQUIRED_NULL, f"{name}: required field must not be null or empty"))
        elif not insert:
            parsed.values[name] = None
        return
    try:
        normalized = normalize(name, value, definition)
    except FieldError as problem:
        parsed.problems.append(Problem(problem.code, str(problem)))
        return
    if normalized != []:
        parsed.values[name] = normalized
    elif not insert:
        parsed.values[name] = None  # an empty list clears it, as "" does


def _custom_value(parsed: Parsed, custom: CustomFields, name: str, value: Any, *, insert: bool) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if not insert:
            parsed.values[name] = None
        return
    try:
        if custom.types[name] == "date":
            value = _date(name, value)
        parsed.values[name] = custom.normalize(name, value)
    except FieldError as problem:
        parsed.problems.append(Problem(problem.code, str(problem)))
    except CustomValueError as problem:
        parsed.problems.append(Problem(PROBLEM_CODES[problem.problem], str(problem)))


class FieldError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalize(name: str, value: Any, definition: ObjectDef = COMPANY) -> Any:
    """The stored form of a non-null value of ``definition``'s field ``name``; FieldError
    when invalid."""
    field = definition.writable[name]
    if field.form == "names":
        return _names(name, value, field.max_length)
    if field.type is FieldType.STRING:
        if not isinstance(value, str):
            raise FieldError(INVALID_FIELD, f"{name}: must be a string")
        text = value.strip()
        if len(text) > field.max_length:
            raise FieldError(TOO_LONG, f"{name}: value is {len(text)} characters long, more than {field.max_length}")
        return text
    if field.type is FieldType.NUMBER:
        return _number(name, value)
    if field.type is FieldType.DATE:
        return _date(name, value)
    target = OBJECTS[field.target or definition.name]
    if not ids.is_gsid(value, target.shape.gsid_prefix):
        raise FieldError(BAD_GSID, f"{name}: {value!r} is not a {target.name} GSID")
    return value


def _number(name: str, value: Any) -> int | float:
    number: int | float
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise FieldError(INVALID_FIELD, f"{name}: must be a number")
    if isinstance(value, str):
        text = value.strip()
        try:
            number = int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        except ValueError:
            raise FieldError(INVALID_FIELD, f"{name}: {value!r} is not a number") from None
    else:
        number = value
    if isinstance(number, float) and not math.isfinite(number):
        raise FieldError(INVALID_FIELD, f"{name}: must be a finite number")
    if abs(number) >= _DYNAMO_MAX or (isinstance(number, int) and len(str(abs(number))) > 38):
        raise FieldError(INVALID_FIELD, f"{name}: number out of range")
    return number


def _date(name: str, value: Any) -> str:
    invalid = FieldError(BAD_DATE, f"{name}: {value!r} is not a date (epoch milliseconds, ISO-8601 or yyyy-MM-dd)")
    if isinstance(value, bool):
        raise invalid
    try:
        if isinstance(value, (int, float)) or (isinstance(value, str) and _EPOCH_MS.match(value.strip())):
            return datetime.fromtimestamp(float(value) / 1000, UTC).date().isoformat()
        if not isinstance(value, str):
            raise invalid
        text = value.strip()
        if _DAY.match(text):
            return date.fromisoformat(text).isoformat()
        instant = datetime.fromisoformat(text)  # ISO-8601, also "yyyy-MM-dd HH:mm:ss" and a trailing Z
    except (ValueError, OverflowError, OSError):
        raise invalid from None
    if instant.tzinfo is not None:
        instant = instant.astimezone(UTC)
    return instant.date().isoformat()


def _names(name: str, value: Any, max_length: int) -> list[str]:
    """A list of names (Tags): strings, each trimmed, blanks and repeats dropped."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FieldError(INVALID_FIELD, f"{name}: must be a list of strings")
    if len(value) > MAX_NAMES:
        raise FieldError(INVALID_FIELD, f"{name}: at most {MAX_NAMES} items, got {len(value)}")
    names = list(dict.fromkeys(text for item in value if (text := item.strip())))
    too_long = next((text for text in names if len(text) > max_length), None)
    if too_long is not None:
        raise FieldError(TOO_LONG, f"{name}: an item is {len(too_long)} characters long, more than {max_length}")
    return names
