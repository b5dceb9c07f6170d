"""Plain-Python <-> DynamoDB attribute values, without boto3's Decimal round trip.

Numbers come back as ``int`` when integral, else ``float``; sets are not used by the
product, so they are not supported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# boto3's stubs type items precisely; plain dicts keep this module free of them.
AttributeValue = Any
Item = dict[str, Any]


def to_attr(value: Any) -> AttributeValue:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": repr(value) if isinstance(value, float) else str(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, dict):
        return {"M": {str(k): to_attr(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attr(v) for v in value]}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def from_attr(attr: AttributeValue) -> Any:
    ((kind, value),) = attr.items()
    if kind == "S":
        return value
    if kind == "N":
        number = float(value)
        return int(number) if number.is_integer() and "e" not in value.lower() else number
    if kind == "BOOL":
        return value
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attr(v) for k, v in value.items()}
    if kind == "L":
        return [from_attr(v) for v in value]
    raise TypeError(f"unsupported DynamoDB type {kind}")


def to_item(record: dict[str, Any]) -> Item:
    return {k: to_attr(v) for k, v in record.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: from_attr(v) for k, v in item.items()}


def key(pk: str, sk: str) -> Item:
    return {"PK": {"S": pk}, "SK": {"S": sk}}
