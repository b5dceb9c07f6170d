"""Data access of custom field definitions: the maps that hold them on the tenant item."""

from __future__ import annotations

from typing import Any

from cscore.meta.fields import OBJECTS
from cscore.platform import keys, table


def ensure_custom_field_maps(tenant_id: str) -> None:
    """The (empty) custom field map of every object, for a tenant bootstrapped before
    custom fields existed (a parent map first: DynamoDB cannot SET below a missing one)."""
    table.set_missing(keys.tenant(tenant_id), {("customFields",): {}})
    maps: dict[tuple[str, ...], Any] = {("customFields", obj): {} for obj in OBJECTS}
    table.set_missing(keys.tenant(tenant_id), maps)
