"""Tenant lifecycle: create, bootstrap defaults (idempotent), keys, limits, who am I."""

from __future__ import annotations

import re
import uuid
from typing import Any

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.errors import BadRequest, NotFound
from cscore.meta import fields as custom_fields
from cscore.picklists import system as system_picklists
from cscore.platform import clock, ids, keys, table
from cscore.ratelimit import policy
from cscore.ratelimit import service as ratelimit
from cscore.tenants import defaults, repository
from cscore.users import repository as users

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def get_tenant(tenant_id: str) -> dict[str, Any]:
    tenant = repository.read(tenant_id)
    if not tenant:
        raise NotFound(f"no tenant {tenant_id}")
    return tenant


def create_tenant(name: str, admin_email: str | None = None) -> dict[str, str]:
    """A tenant with its first super admin and its tenant key; defaults bootstrapped."""
    name = name.strip()
    if not name:
        raise BadRequest("name: must not be empty")
    tenant_id = str(uuid.uuid4())
    admin_email = admin_email or f"admin@{tenant_id[:8]}.cs-platform.local"
    if not _EMAIL.match(admin_email):
        raise BadRequest(f"adminEmail: {admin_email!r} is not an e-mail address")
    now = clock.now()
    admin_gsid = ids.new_gsid(ids.USER)
    admin = {
        "Gsid": admin_gsid,
        "Name": "Super Admin",
        "FirstName": "Super",
        "LastName": "Admin",
        "Email": admin_email,
        "SFDCUserName": admin_email,
        "SystemType": system_picklists.system_item_gsid("SystemType", "Internal"),
        "LicenseType": system_picklists.system_item_gsid("LicenseType", "Full"),
        "IsSuperAdmin": True,
        "IsActiveUser": True,
        "GainsightLicenseEnabled": True,
        "CreatedDate": clock.iso(now),
        "ModifiedDate": clock.iso(now),
    }
    plain_key, key_item = auth.access_key_record(tenant_id, admin_gsid, True, tenant_key=True)
    tenant = {
        "tenantId": tenant_id,
        "name": name,
        "createdAt": int(now),
        "superAdminGsid": admin_gsid,
        "tenantKeyPK": key_item["PK"]["S"],
    }
    repository.create(tenant_id, tenant, key_item, users.insert_transactions(tenant_id, [admin])[0][1])
    bootstrap(tenant_id)
    return {"tenantId": tenant_id, "accessKey": plain_key, "superAdminGsid": admin_gsid}


def bootstrap(tenant_id: str) -> None:
    """Give a tenant every default it lacks. Safe to run any number of times; defaults
    added by later versions reach existing tenants when it is re-applied (deploy, local start)."""
    repository.put_permission_bundles(
        tenant_id,
        [
            {"name": name, "system": True, "description": "Granted to every user by default"}
            for name in defaults.PERMISSION_BUNDLES
        ],
    )
    # Settings and picklists live on the tenant item, which every request reads with its
    # credential: picklist labels <-> GSIDs cost no extra call. Nested maps are created
    # level by level (DynamoDB cannot SET a path whose parent is missing).
    settings: dict[tuple[str, ...], Any] = {(name,): value for name, value in defaults.SETTINGS.items()}
    repository.set_missing(tenant_id, settings | {("picklists",): {}})
    maps: dict[tuple[str, ...], Any] = {("picklists", category): {} for category in system_picklists.PICKLISTS}
    maps |= {("customFields", obj): {} for obj in custom_fields.OBJECTS}
    repository.set_missing(tenant_id, maps)
    repository.set_missing(
        tenant_id,
        {
            ("picklists", category, system_picklists.system_item_gsid(category, label)): {
                "label": label,
                "system": True,
                "order": order,
            }
            for category, labels in system_picklists.PICKLISTS.items()
            for order, label in enumerate(labels)
        },
    )


def list_tenants() -> list[dict[str, Any]]:
    return repository.registry()


def bootstrap_all() -> int:
    """Re-apply the defaults to every tenant; returns how many were visited."""
    tenants = list_tenants()
    for tenant in tenants:
        bootstrap(tenant["tenantId"])
    return len(tenants)


def regenerate_tenant_key(tenant_id: str) -> str:
    """A new tenant key; the old one stops working in the same transaction."""
    tenant = get_tenant(tenant_id)
    plain_key, key_item = auth.access_key_record(tenant_id, tenant["superAdminGsid"], True, tenant_key=True)
    repository.replace_tenant_key(tenant_id, tenant["tenantKeyPK"], key_item)
    return plain_key


def _user(tenant_id: str, user_gsid: str) -> dict[str, Any]:
    user = table.read_one(keys.user(tenant_id, user_gsid))
    if not user:
        raise NotFound(f"no user {user_gsid} in tenant {tenant_id}")
    return user


def create_user_key(tenant_id: str, user_gsid: str) -> str:
    """An access key acting as an existing user of the tenant."""
    get_tenant(tenant_id)
    user = _user(tenant_id, user_gsid)
    plain_key, key_item = auth.access_key_record(tenant_id, user_gsid, bool(user.get("IsSuperAdmin")), tenant_key=False)
    repository.put_access_key(key_item)
    return plain_key


def create_oauth_client(tenant_id: str, user_gsid: str | None = None) -> dict[str, str]:
    tenant = get_tenant(tenant_id)
    user = _user(tenant_id, user_gsid or tenant["superAdminGsid"])
    return auth.create_oauth_client(tenant, user["Gsid"], bool(user.get("IsSuperAdmin")))


def set_limit(tenant_id: str, family: str, window: str, limit: int) -> dict[str, Any]:
    """Override one window of one family for a tenant; effective on the next request."""
    try:
        policy.validate_override(family, window, limit)
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    tenant = get_tenant(tenant_id)
    limits = tenant.get("limits") or {}
    limits.setdefault(family, {})[window] = limit
    repository.set_setting(tenant_id, "limits", limits)
    return {family: policy.limits_for(family, limits) for family in policy.FAMILIES}


def set_company_teams(tenant_id: str, enabled: bool) -> dict[str, Any]:
    """Switch Company Teams on or off for a tenant (SPEC §4); effective on the next request."""
    get_tenant(tenant_id)
    repository.set_setting(tenant_id, "companyTeamsEnabled", enabled)
    return {"tenantId": tenant_id, "companyTeamsEnabled": enabled}


def who_am_i(principal: Principal) -> dict[str, Any]:
    """GET /v1/tenant: the tenant, the acting user and the rate-limit usage per family."""
    return {
        "tenantId": principal.tenant_id,
        "tenantName": principal.tenant_name,
        "userGsid": principal.user_gsid,
        "isSuperAdmin": principal.is_super_admin,
        "credential": principal.credential,
        "rateLimits": ratelimit.usage(principal.tenant_id, principal.limit_overrides),
    }
