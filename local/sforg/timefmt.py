"""Salesforce's datetime wire format and the parsing of the forms clients send."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

DAY_MS = 86_400_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


def format_dt(ms: int | None) -> str | None:
    """'2013-05-20T20:49:32.000+0000', the form Salesforce writes datetimes in JSON."""
    if ms is None:
        return None
    moment = _EPOCH + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+0000"


def parse_dt(text: str) -> int:
    """Epoch ms of an ISO-8601 datetime ('Z', '+0000' or '+00:00'; UTC when no zone); ValueError otherwise."""
    match = _ISO.match(text.strip())
    if not match:
        raise ValueError(f"invalid datetime: {text!r}")
    year, month, day, hour, minute, second, frac, zone = match.groups()
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=UTC)
    ms = int((moment - _EPOCH).total_seconds()) * 1000 + int((frac or "0")[:3].ljust(3, "0"))
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        ms -= sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
    return ms


def parse_date(text: str) -> str:
    """A date literal, validated, kept as 'YYYY-MM-DD' (which sorts like the date)."""
    datetime.strptime(text, "%Y-%m-%d")
    return text


def ms_of(moment: datetime) -> int:
    """Epoch ms of an aware datetime."""
    return int((moment - _EPOCH).total_seconds() * 1000)


def floor_minute(ms: int) -> int:
    """Salesforce truncates replication windows to the minute."""
    return ms - ms % 60_000
