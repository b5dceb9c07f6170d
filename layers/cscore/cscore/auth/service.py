"""Authentication (access keys, M2M OAuth clients, Bearer tokens) and credential admin.

A credential is only as good as its tenant and its user: every check reads the
credential, the tenant and the user the credential acts as (its holder) in one strongly
consistent BatchGetItem, so revoking a credential, deactivating its user or deleting
its tenant takes effect on the very next request, and reactivating the user restores
it. Keys and tokens name their holder for that (``<tenantId>.<userGsid>.<secret>``,
``<tenantId>.<clientGsid>.<userGsid>.<secret>``); a key issued before they did
(``<tenantId>.<secret>``) still works, at the cost of a second read for its holder.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cscore.auth import credentials, repository
from cscore.auth.principal import Principal
from cscore.errors import Conflict, NotFound, Unauthorized
from cscore.platform import clock, ids, keys, table
from cscore.platform.dynamo import Item, to_item

TOKEN_LIFETIME_SECONDS = 3600
MAX_OAUTH_CLIENTS = 15  # Gainsight's limit per tenant
_TENANT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """Header lookup ignoring case, as HTTP (and SPEC §1.1) wants."""
    wanted = name.lower()
    for key, value in (headers or {}).items():
        if key.lower() == wanted and value:
            return value.strip()
    return None


def _principal(tenant: dict[str, Any], holder: dict[str, Any], kind: str, credential_id: str) -> Principal:
    return Principal(
        tenant_id=tenant["tenantId"],
        tenant_name=tenant["name"],
        user_gsid=holder["userGsid"],
        is_super_admin=bool(holder.get("isSuperAdmin")),
        credential=kind,
        credential_id=credential_id,
        limit_overrides=tenant.get("limits") or {},
        tenant=tenant,
    )


def authenticate(headers: Mapping[str, str] | None) -> Principal:
    """The caller of an API request, from ``accesskey`` or ``Authorization: Bearer``."""
    access_key = _header(headers, "accesskey")
    if access_key:
        return _by_access_key(access_key)
    bearer = credentials.parse_bearer(_header(headers, "authorization") or "")
    if bearer:
        # An access key sent as a Bearer token (what SCIM clients such as Okta and Entra
        # ID send) is the same secret: a token names an OAuth client, a key never does.
        parts = credentials.split(bearer, 4) or credentials.split(bearer, 3)
        if parts and ids.is_gsid(parts[1], ids.OAUTH_CLIENT):
            return _by_bearer_token(bearer)
        return _by_access_key(bearer)
    raise Unauthorized()


def _read(tenant_id: str, item_keys: list[Item], holder: str | None) -> list[dict[str, Any] | None]:
    """The credential's items, then the tenant, then the named holder's user record
    (None when the credential does not name it), in one BatchGetItem."""
    wanted = [*item_keys, keys.tenant(tenant_id)] + ([keys.user(tenant_id, holder)] if holder else [])
    found = table.read_many(wanted)
    return found if holder else [*found, None]


def _require_active_holder(tenant_id: str, holder: str, named: str | None, user: dict[str, Any] | None) -> None:
    """401 unless the credential's holder is the user it names and that user is active.
    A credential that does not name its holder has it read now, by the same batch read
    authentication is allowed (every API function's policy grants BatchGetItem only)."""
    if named is None:
        (user,) = table.read_many([keys.user(tenant_id, holder)])
    elif named != holder:
        raise Unauthorized()
    if not user or not user.get("IsActiveUser", True):
        raise Unauthorized()


def _by_access_key(access_key: str) -> Principal:
    parts = credentials.split(access_key, 3) or credentials.split(access_key, 2)
    if not parts or not _TENANT_ID.match(parts[0]):
        raise Unauthorized()
    tenant_id, named = parts[0], (parts[1] if len(parts) == 3 else None)
    if named is not None and not ids.is_gsid(named, ids.USER):
        raise Unauthorized()
    record, tenant, user = _read(tenant_id, [keys.credential(tenant_id, credentials.digest(access_key))], named)
    if not record or not tenant or record.get("kind") != "ACCESS_KEY":
        raise Unauthorized()
    _require_active_holder(tenant_id, record["userGsid"], named, user)
    return _principal(tenant, record, "ACCESS_KEY", record["keyId"])


def _by_bearer_token(token: str) -> Principal:
    parts = credentials.split(token, 4) or credentials.split(token, 3)
    if not parts or not _TENANT_ID.match(parts[0]) or not ids.is_gsid(parts[1], ids.OAUTH_CLIENT):
        raise Unauthorized()
    tenant_id, client_gsid, named = parts[0], parts[1], (parts[2] if len(parts) == 4 else None)
    if named is not None and not ids.is_gsid(named, ids.USER):
        raise Unauthorized()
    record, client, tenant, user = _read(
        tenant_id,
        [keys.credential(tenant_id, credentials.digest(token)), keys.oauth_client(tenant_id, client_gsid)],
        named,
    )
    # A token dies with its client (revoked client => no read of a stale token survives).
    if not record or not client or not tenant or record.get("kind") != "BEARER_TOKEN":
        raise Unauthorized()
    if record.get("clientId") != client["clientId"] or float(record.get("expiresAt", 0)) <= clock.now():
        raise Unauthorized()
    _require_active_holder(tenant_id, client["userGsid"], named, user)
    return _principal(tenant, client, "BEARER_TOKEN", client_gsid)


def authenticate_client(headers: Mapping[str, str] | None, form: Mapping[str, str]) -> Principal:
    """An M2M OAuth client from HTTP Basic (or, as RFC 6749 allows, form fields)."""
    pair = credentials.parse_basic(_header(headers, "authorization") or "")
    if pair is None and form.get("client_id") and form.get("client_secret"):
        pair = (form["client_id"], form["client_secret"])
    if pair is None:
        raise Unauthorized()
    client_id, client_secret = pair
    parts = credentials.split(client_id, 2)
    if not parts or not _TENANT_ID.match(parts[0]) or not ids.is_gsid(parts[1], ids.OAUTH_CLIENT):
        raise Unauthorized()
    client, tenant, _ = _read(parts[0], [keys.oauth_client(parts[0], parts[1])], None)
    if not client or not tenant or not credentials.same_digest(client_secret, client["secretHash"]):
        raise Unauthorized()
    # A client id does not name its holder: one more read, once per token issued.
    _require_active_holder(parts[0], client["userGsid"], None, None)
    return _principal(tenant, client, "OAUTH_CLIENT", parts[1])


def issue_token(client: Principal) -> dict[str, Any]:
    """A one-hour Bearer token for an authenticated M2M client (grant client_credentials)."""
    token = credentials.compose(client.tenant_id, client.credential_id, client.user_gsid, credentials.new_secret())
    expires_at = int(clock.now()) + TOKEN_LIFETIME_SECONDS
    repository.put_token(
        client.tenant_id,
        credentials.digest(token),
        {
            "kind": "BEARER_TOKEN",
            "tenantId": client.tenant_id,
            "clientId": client.credential_id,
            "expiresAt": expires_at,
            "ttl": expires_at + 86400,  # TTL only tidies up; expiresAt is what is checked
        },
    )
    return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS}


# --- credential administration (csadmin) --------------------------------------------


def access_key_record(
    tenant_id: str, user_gsid: str, is_super_admin: bool, *, tenant_key: bool
) -> tuple[str, dict[str, Any]]:
    """A new plain access key (naming its holder) and the item that stores only its hash."""
    plain = credentials.compose(tenant_id, user_gsid, credentials.new_secret())
    key_id = ids.new_gsid(ids.ACCESS_KEY)
    item = {
        **keys.credential(tenant_id, credentials.digest(plain)),
        **to_item(
            {
                "kind": "ACCESS_KEY",
                "tenantId": tenant_id,
                "keyId": key_id,
                "userGsid": user_gsid,
                "isSuperAdmin": is_super_admin,
                "tenantKey": tenant_key,
                "createdAt": int(clock.now()),
                "GSI1PK": keys.credentials_index(tenant_id),
                "GSI1SK": f"KEY#{key_id}",
            }
        ),
    }
    return plain, item


def list_credentials(tenant_id: str) -> list[dict[str, Any]]:
    """Keys and OAuth clients of a tenant, without anything secret."""
    shown = ("keyId", "clientId", "kind", "userGsid", "isSuperAdmin", "tenantKey", "createdAt")
    return [{k: r[k] for k in shown if k in r} for r in repository.list_credentials(tenant_id)]


def revoke_access_key(tenant_id: str, key_id: str) -> None:
    for record in repository.list_credentials(tenant_id):
        if record.get("keyId") == key_id:
            if record.get("tenantKey"):
                raise Conflict("the tenant key cannot be revoked; re-generate it instead")
            table.delete({"PK": {"S": record["PK"]}, "SK": {"S": record["SK"]}})
            return
    raise NotFound(f"no access key {key_id} in tenant {tenant_id}")


def create_oauth_client(tenant: dict[str, Any], user_gsid: str, is_super_admin: bool) -> dict[str, str]:
    """A new M2M client; the secret is shown once and stored only as a hash."""
    tenant_id = tenant["tenantId"]
    client_gsid = ids.new_gsid(ids.OAUTH_CLIENT)
    secret = credentials.new_secret()
    item = {
        **keys.oauth_client(tenant_id, client_gsid),
        **to_item(
            {
                "kind": "OAUTH_CLIENT",
                "tenantId": tenant_id,
                "clientId": client_gsid,
                "userGsid": user_gsid,
                "isSuperAdmin": is_super_admin,
                "secretHash": credentials.digest(secret),
                "createdAt": int(clock.now()),
                "GSI1PK": keys.credentials_index(tenant_id),
                "GSI1SK": f"CLIENT#{client_gsid}",
            }
        ),
    }
    if not repository.add_oauth_client(tenant_id, item, MAX_OAUTH_CLIENTS):
        raise Conflict(f"a tenant has at most {MAX_OAUTH_CLIENTS} OAuth clients")
    return {"clientId": credentials.compose(tenant_id, client_gsid), "clientSecret": secret}


def revoke_oauth_client(tenant_id: str, client_id: str) -> None:
    """Delete a client; its tokens stop working at once (they are checked against it)."""
    client_gsid = client_id.split(credentials.SEPARATOR)[-1]
    if not repository.delete_oauth_client(tenant_id, client_gsid):
        raise NotFound(f"no OAuth client {client_id} in tenant {tenant_id}")
