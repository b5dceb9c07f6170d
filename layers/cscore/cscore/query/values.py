"""Normalization of condition values and record values to one comparable form per type.

Both sides of every comparison go through here, so "case-insensitive", "a date is a
day" and "3 equals 3.0" are decided in one place:
- string, gsid: ``str.lower()`` (the same folding as ``keys.normalized``, minus trimming);
  a stored list of names (Company Tags) as its names joined by ``"; "``;
- number: ``Decimal`` (exact; ``1 == 1.0``; records may hold int, float or Decimal);
- boolean: ``bool`` (conditions also accept "true"/"false");
- date, datetime: epoch milliseconds, UTC; a date is the midnight (UTC) of its day, so a
  date-time given for a date field means the UTC day it falls in;
- picklist: the item's upper-case GSID, found by GSID or by label; a condition value
  that names no item becomes ``NO_ITEM``.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from cscore.query.model import NO_ITEM, Field, FieldType, Value

DAY_MS = 86_400_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_BOOLEANS = {"true": True, "false": False}


def datetime_millis(value: datetime) -> int:
    """Epoch milliseconds of a date-time; a naive one is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return delta.days * DAY_MS + delta.seconds * 1000 + delta.microseconds // 1000


def to_epoch_millis(value: object, *, date_only: bool = False) -> int:
    """Epoch milliseconds (UTC) of a date or date-time given as epoch milliseconds (number
    or digit string), ISO-8601 (with or without ``Z``/offset; none means UTC),
    ``yyyy-MM-dd HH:mm:ss`` (UTC), or a ``datetime``/``date``. With ``date_only`` the
    result is the midnight of its UTC day. Raises ValueError for anything else."""
    millis: int
    if isinstance(value, bool):
        raise ValueError("a boolean is not a date")
    if isinstance(value, datetime):
        millis = datetime_millis(value)
    elif isinstance(value, date):
        millis = (value - date(1970, 1, 1)).days * DAY_MS
    elif isinstance(value, int):
        millis = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        millis = math.floor(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("not a finite number")
        millis = math.floor(value)
    elif isinstance(value, str):
        text = value.strip()
        millis = int(text) if _INTEGER.fullmatch(text) else datetime_millis(datetime.fromisoformat(text.upper()))
    else:
        raise ValueError(f"{type(value).__name__} is not a date")
    return millis - millis % DAY_MS if date_only else millis


def to_decimal(value: object) -> Decimal:
    """An exact number from an int, float, Decimal or numeric string; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError("not a number") from None
    else:
        raise ValueError(f"{type(value).__name__} is not a number")
    if not number.is_finite():
        raise ValueError("not a finite number")
    return number


def to_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLEANS:
        return _BOOLEANS[value.strip().lower()]
    raise ValueError("not a boolean")


def condition_value(field: Field, value: object) -> Value:
    """A condition value in comparable form; ValueError when it does not fit the type.
    A picklist value naming no item is not an error: it becomes NO_ITEM."""
    kind = field.type
    if kind in (FieldType.STRING, FieldType.GSID):
        if not isinstance(value, str):
            raise ValueError("not a string")
        return value.lower()
    if kind is FieldType.NUMBER:
        return to_decimal(value)
    if kind is FieldType.BOOLEAN:
        return to_bool(value)
    if kind in (FieldType.DATE, FieldType.DATETIME):
        return to_epoch_millis(value, date_only=kind is FieldType.DATE)
    if not isinstance(value, str):
        raise ValueError("not a picklist item GSID or label")
    gsid = field.item_gsid(value)
    return NO_ITEM if gsid is None else gsid


def record_value(field: Field, value: object) -> Value | None:
    """A record's value in comparable form. None is null; so is a value that does not fit
    its field's type (stored data is not a client's fault, and must not fail a query).
    A picklist value that names no known item stays its own upper-cased self."""
    if value is None:
        return None
    if isinstance(value, list | tuple) and field.type is FieldType.STRING:
        value = "; ".join(map(str, value))  # a list of names (Tags): CONTAINS finds one
    try:
        normalized = condition_value(field, value)
    except (ValueError, OverflowError):
        return None
    if normalized is NO_ITEM:
        return str(value).upper()
    return normalized
