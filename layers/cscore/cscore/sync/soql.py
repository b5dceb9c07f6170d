"""SOQL text the engine sends: field lists, datetime literals, quoting, id lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime


def literal_datetime(iso: str) -> str:
    """An instant (ISO-8601, any offset; Salesforce's ``...000+0000`` too) as an unquoted
    SOQL datetime literal with milliseconds, in UTC."""
    text = iso.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":  # +0000 -> +00:00
        text = f"{text[:-2]}:{text[-2:]}"
    moment = datetime.fromisoformat(text).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def id_list(ids: Iterable[str]) -> str:
    return "(" + ", ".join(quoted(i) for i in ids) + ")"


def select(fields: Iterable[str], sobject: str, conditions: list[str], order: str | None = None) -> str:
    # Field and object names are checked API names; values are quoted by ``quoted``.
    text = f"SELECT {', '.join(dict.fromkeys(fields))} FROM {sobject}"  # noqa: S608
    if conditions:
        text += " WHERE " + " AND ".join(f"({c})" for c in conditions)
    if order:
        text += f" ORDER BY {order}"
    return text
