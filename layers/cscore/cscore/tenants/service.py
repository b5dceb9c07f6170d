"""Tenant lifecycle: create, bootstrap defaults (idempotent), keys, limits, who am I."""

from __future__ import annotations

import re
import uuid
from typing import Any

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.errors import BadRequest, NotFound
from cscore.platform import aws, clock, config, ids, keys, table
from cscore.platform.dynamo import to_attr, to_item
from cscore.ratelimit import policy
from cscore.ratelimit import service as ratelimit
from cscore.tenants import defaults
from cscore.users import repository as users

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def get_tenant(tenant_id: str) -> dict[str, Any]:
    tenant = table.read_one(keys.tenant(tenant_id))
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
        "SystemType": defaults.system_item_gsid("SystemType", "Internal"),
        "LicenseType": defaults.system_item_gsid("LicenseType", "Full"),
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
    tbl = config.tenant_table()
    table.transact(
        [
            {
                "Put": {
                    "TableName": tbl,
                    "Item": {**keys.tenant(tenant_id), **to_item(tenant)},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {"Put": {"TableName": tbl, "Item": {**keys.tenant_registry(tenant_id), **to_item({"name": name})}}},
            {"Put": {"TableName": tbl, "Item": key_item, "ConditionExpression": "attribute_not_exists(PK)"}},
        ]
        + users.insert_transactions(tenant_id, [admin])[0][1]
    )
    bootstrap(tenant_id)
    return {"tenantId": tenant_id, "accessKey": plain_key, "superAdminGsid": admin_gsid}


def bootstrap(tenant_id: str) -> None:
    """Give a tenant every default it lacks. Safe to run any number of times; defaults
    added by later versions reach existing tenants when it is re-applied (deploy, local start)."""
    tbl = config.tenant_table()
    client = aws.dynamodb()
    puts = []
    for name in defaults.PERMISSION_BUNDLES:
        record = {"name": name, "system": True, "description": "Granted to every user by default"}
        puts.append({"PutRequest": {"Item": {**keys.permission_bundle(tenant_id, name), **to_item(record)}}})
    for start in range(0, len(puts), 25):
        pending: dict[str, Any] = {tbl: puts[start : start + 25]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    # Settings and picklists live on the tenant item, which every request reads with its
    # credential: picklist labels <-> GSIDs cost no extra call. Nested maps are created
    # level by level (DynamoDB cannot SET a path whose parent is missing).
    settings: dict[tuple[str, ...], Any] = {(name,): value for name, value in defaults.SETTINGS.items()}
    _set_missing(tenant_id, settings | {("picklists",): {}})
    maps: dict[tuple[str, ...], Any] = {("picklists", category): {} for category in defaults.PICKLISTS}
    maps |= {("customFields", obj): {} for obj in defaults.CUSTOM_FIELD_OBJECTS}
    _set_missing(tenant_id, maps)
    _set_missing(
        tenant_id,
        {
            ("picklists", category, defaults.system_item_gsid(category, label)): {
                "label": label,
                "system": True,
                "order": order,
            }
            for category, labels in defaults.PICKLISTS.items()
            for order, label in enumerate(labels)
        },
    )


def ensure_custom_field_maps(tenant_id: str) -> None:
    """The (empty) custom field map of every object, for a tenant bootstrapped before
    custom fields existed."""
    _set_missing(tenant_id, {("customFields",): {}})
    maps: dict[tuple[str, ...], Any] = {("customFields", obj): {} for obj in defaults.CUSTOM_FIELD_OBJECTS}
    _set_missing(tenant_id, maps)


def _set_missing(tenant_id: str, defaults_by_path: dict[tuple[str, ...], Any]) -> None:
    """SET each attribute path of the tenant item to its default unless it has a value."""
    names: dict[str, str] = {}
    clauses = []
    values = {}
    for i, (path, default) in enumerate(defaults_by_path.items()):
        placeholders = []
        for part in path:
            placeholder = next((k for k, v in names.items() if v == part), f"#n{len(names)}")
            names[placeholder] = part
            placeholders.append(placeholder)
        attribute = ".".join(placeholders)
        clauses.append(f"{attribute} = if_not_exists({attribute}, :v{i})")
        values[f":v{i}"] = to_attr(default)
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=keys.tenant(tenant_id),
        UpdateExpression="SET " + ", ".join(clauses),
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def list_tenants() -> list[dict[str, Any]]:
    rows = table.query_all(
        KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": keys.TENANT_REGISTRY_PK}}
    )
    return [{"tenantId": r["SK"], "name": r.get("name")} for r in rows]


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
    tbl = config.tenant_table()
    table.transact(
        [
            {"Delete": {"TableName": tbl, "Key": {"PK": {"S": tenant["tenantKeyPK"]}, "SK": {"S": "AUTH"}}}},
            {"Put": {"TableName": tbl, "Item": key_item, "ConditionExpression": "attribute_not_exists(PK)"}},
            {
                "Update": {
                    "TableName": tbl,
                    "Key": keys.tenant(tenant_id),
                    "UpdateExpression": "SET tenantKeyPK = :new",
                    "ConditionExpression": "tenantKeyPK = :old",
                    "ExpressionAttributeValues": {
                        ":new": {"S": key_item["PK"]["S"]},
                        ":old": {"S": tenant["tenantKeyPK"]},
                    },
                }
            },
        ]
    )
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
    aws.dynamodb().put_item(
        TableName=config.tenant_table(), Item=key_item, ConditionExpression="attribute_not_exists(PK)"
    )
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
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=keys.tenant(tenant_id),
        UpdateExpression="SET limits = :limits",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeValues={":limits": to_attr(limits)},
    )
    return {family: policy.limits_for(family, limits) for family in policy.FAMILIES}


def set_company_teams(tenant_id: str, enabled: bool) -> dict[str, Any]:
    """Switch Company Teams on or off for a tenant (SPEC §4); effective on the next request."""
    get_tenant(tenant_id)
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=keys.tenant(tenant_id),
        UpdateExpression="SET companyTeamsEnabled = :on",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeValues={":on": to_attr(enabled)},
    )
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
