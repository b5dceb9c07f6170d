"""Team roles (SPEC §4.1): the tenant's TeamRole picklist. "Account Manager" is a system
item in every tenant; super admins add roles. Labels are unique, ignoring case."""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.errors import Conflict
from cscore.picklists import service as picklists
from cscore.teams import rules
from cscore.teams.models import CreateRole

CATEGORY = "TeamRole"


def _roles(tenant_item: dict[str, Any]) -> list[dict[str, Any]]:
    items = (tenant_item.get("picklists") or {}).get(CATEGORY) or {}
    roles = [
        {
            "gsid": gsid,
            "label": str(item.get("label", "")),
            "system": bool(item.get("system")),
            "_order": item.get("order"),
        }
        for gsid, item in items.items()
    ]
    roles.sort(
        key=lambda r: (not r["system"], r["_order"] if isinstance(r["_order"], (int, float)) else 0, r["label"].lower())
    )
    return [{k: v for k, v in r.items() if k != "_order"} for r in roles]


def list_roles(principal: Principal) -> dict[str, Any]:
    """GET /v1/teams/roles: ``data.roles`` = [{gsid, label, system}], system roles first."""
    rules.require_enabled(principal)
    return {"roles": _roles(principal.tenant)}


def create_role(principal: Principal, request: CreateRole) -> dict[str, Any]:
    """POST /v1/teams/roles ``{label}``: a new role (409 when the label exists)."""
    rules.require_enabled(principal)
    label = request.label.strip()
    if any(r["label"].lower() == label.lower() for r in _roles(principal.tenant)):
        raise Conflict(f"A team role labelled {label!r} already exists")
    added = picklists.add_items(principal.tenant_id, CATEGORY, [label])
    return {"role": {"gsid": added[label.lower()], "label": label, "system": False}}
