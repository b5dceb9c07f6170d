"""A tenant's picklists, as read with the request's credential (the tenant item holds
them, see tenants.service.bootstrap). Inputs accept a label or a GSID; stored values
are GSIDs; answers show GSIDs or labels as each endpoint's contract says."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cscore.picklists import repository
from cscore.platform import ids


class Picklists:
    def __init__(self, tenant_item: Mapping[str, Any]) -> None:
        self._items: dict[str, dict[str, str]] = {
            category: {gsid: str(item.get("label", "")) for gsid, item in (items or {}).items()}
            for category, items in (tenant_item.get("picklists") or {}).items()
        }
        self._by_label = {
            category: {label.lower(): gsid for gsid, label in items.items()} for category, items in self._items.items()
        }

    def labels(self, category: str) -> list[str]:
        return sorted(self._items.get(category, {}).values())

    def gsids(self, category: str) -> list[str]:
        return list(self._items.get(category, {}))

    def to_gsid(self, category: str, value: object) -> str | None:
        """The item GSID for a label (any case) or a GSID of this tenant; None when unknown."""
        if not isinstance(value, str):
            return None
        items = self._items.get(category, {})
        if value in items:
            return value
        return self._by_label.get(category, {}).get(value.strip().lower())

    def to_label(self, category: str, gsid: object) -> object:
        """The label of an item GSID (unknown values are shown as they are)."""
        return self._items.get(category, {}).get(gsid, gsid) if isinstance(gsid, str) else gsid


def add_items(tenant_id: str, category: str, labels: list[str]) -> dict[str, str]:
    """Add picklist items an admin or a sync introduces (e.g. a Salesforce team role);
    returns label (lower-cased) -> item GSID for the labels added. One UpdateItem."""
    if not labels:
        return {}
    added = {label.strip().lower(): ids.new_gsid(ids.PICKLIST_ITEM) for label in labels}
    items = [(added[label.strip().lower()], {"label": label.strip(), "system": False}) for label in labels]
    repository.put_items(tenant_id, category, items)
    return added
