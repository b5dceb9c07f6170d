"""Salesforce connections (SPEC §3.1): create, read, authorize (OAuth web server flow
with PKCE), the callback, re-authorize (same org only), revoke, Company Resolution and
link tenant. Status: CREATED -> AUTHORIZED -> REVOKED | NEEDS_REAUTHORIZATION.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

from cscore.auth.principal import Principal
from cscore.connector import connected_app, jobs, repository, sessions, vault
from cscore.connector.errors import (
    ConnectionNotAuthorized,
    ManagedPackageMissing,
    OAuthFailed,
    OrgMismatch,
    SalesforceFailed,
)
from cscore.connector.job_definitions import DEFAULT_COMPANY_RESOLUTION
from cscore.connector.models import CompanyResolution, CreateConnection
from cscore.connector.sessions import AUTHORIZED, NEEDS_REAUTHORIZATION, mark_needs_reauthorization, salesforce_client
from cscore.errors import BadRequest, Conflict, NotFound
from cscore.platform import clock, config, ids
from cscore.platform.table import TransactionCancelled
from cscore.salesforce.errors import (
    OAuthRefused,
    ReauthorizationNeeded,
    SalesforceError,
    SalesforceUnavailable,
)
from cscore.salesforce.tokens import Tokens

CREATED, REVOKED = "CREATED", "REVOKED"
CALLBACK_PATH = "/v1/connectors/salesforce/oauth/callback"
STATE_TTL_SECONDS = 600
MANAGED_PACKAGE_NAMESPACE = "JBCXM"
MANAGED_PACKAGE_QUERY = "SELECT Id, NamespacePrefix, Status FROM PackageLicense WHERE NamespacePrefix = 'JBCXM'"
_VIEW_FIELDS = (
    "connectionId",
    "name",
    "orgType",
    "loginUrl",
    "status",
    "orgId",
    "linked",
    "companyResolution",
    "createdDate",
    "authorizedDate",
)
# Hosts a My Domain login URL may name: Salesforce's own, or the deployment's login hosts.
_SALESFORCE_DOMAINS = (".salesforce.com", ".force.com", ".salesforce.mil", ".cloudforce.com")


def _oauth() -> Any:
    """The OAuth client, imported when a request talks to Salesforce: reading and
    listing connections does not pay for requests and oauthlib at cold start."""
    from cscore.salesforce import oauth

    return oauth


def view(connection: dict[str, Any]) -> dict[str, Any]:
    """The connection view of SPEC §3.1 (nothing secret is ever part of a connection)."""
    return {name: connection.get(name) for name in _VIEW_FIELDS}


def _connection(tenant_id: str, connection_id: str) -> dict[str, Any]:
    connection = repository.get_connection(tenant_id, connection_id)
    if connection is None:
        raise NotFound(f"connectionId: no Salesforce connection {connection_id}")
    return connection


# ---------------------------------------------------------------- create and read
def _login_url(org_type: str, login_url: str | None) -> str:
    if not login_url:
        return config.salesforce_login_host() if org_type == "production" else config.salesforce_sandbox_login_host()
    parts = urlsplit(login_url.strip())
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise BadRequest("loginUrl: must be an https URL with no path, e.g. https://acme.my.salesforce.com")
    configured = {urlsplit(h).netloc for h in (config.salesforce_login_host(), config.salesforce_sandbox_login_host())}
    if parts.netloc not in configured and not parts.hostname.endswith(_SALESFORCE_DOMAINS):
        raise BadRequest("loginUrl: must be a Salesforce login host (e.g. https://acme.my.salesforce.com)")
    return f"https://{parts.netloc}"


def create_connection(principal: Principal, request: CreateConnection) -> dict[str, Any]:
    name = request.name
    org_type = request.orgType.lower()
    now = clock.iso()
    connection = {
        "connectionId": ids.new_gsid(ids.CONNECTION),
        "name": name.strip(),
        "orgType": org_type,
        "loginUrl": _login_url(org_type, request.loginUrl),
        "status": CREATED,
        "orgId": None,
        "linked": False,
        "companyResolution": dict(DEFAULT_COMPANY_RESOLUTION),
        "createdDate": now,
        "authorizedDate": None,
        "createdBy": principal.user_gsid,
    }
    try:
        repository.insert_connection(principal.tenant_id, connection)
    except TransactionCancelled:
        raise Conflict("A tenant has at most one Salesforce connection") from None
    return view(connection)


def list_connections(principal: Principal) -> dict[str, Any]:
    return {"connections": [view(c) for c in repository.list_connections(principal.tenant_id)]}


def get_connection(principal: Principal, connection_id: str) -> dict[str, Any]:
    return view(_connection(principal.tenant_id, connection_id))


# ---------------------------------------------------------------- authorize
def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _authorization_url(principal: Principal, connection: dict[str, Any], fallback_callback: str) -> dict[str, Any]:
    app = connected_app.get()
    redirect_uri = app.callback_url or fallback_callback
    state = secrets.token_urlsafe(32)
    verifier, challenge = _oauth().pkce_pair()
    expires_at = clock.now() + STATE_TTL_SECONDS
    repository.put_state(
        _digest(state),
        {
            "tenantId": principal.tenant_id,
            "connectionId": connection["connectionId"],
            "requestedBy": principal.user_gsid,
            "redirectUri": redirect_uri,
            "loginUrl": connection["loginUrl"],
            "codeVerifier": verifier,
            "expiresAt": expires_at,
            "ttl": int(expires_at) + 3600,
        },
    )
    url = _oauth().authorization_url(connection["loginUrl"], app.client_id, redirect_uri, state, challenge)
    return {"authorizationUrl": url, "expiresAt": clock.iso(expires_at)}


def authorize(principal: Principal, connection_id: str, fallback_callback: str) -> dict[str, Any]:
    connection = _connection(principal.tenant_id, connection_id)
    if connection.get("orgId"):
        raise Conflict("The connection is already bound to an org: use reauthorize")
    return _authorization_url(principal, connection, fallback_callback)


def reauthorize(principal: Principal, connection_id: str, fallback_callback: str) -> dict[str, Any]:
    connection = _connection(principal.tenant_id, connection_id)
    if not connection.get("orgId"):
        raise Conflict("The connection was never authorized: use authorize")
    return _authorization_url(principal, connection, fallback_callback)


def complete_authorization(params: dict[str, str]) -> dict[str, Any]:
    """The OAuth callback: the state (single-use, expiring) names the tenant and the
    connection; the code is exchanged with the stored PKCE verifier. Any failure
    leaves the connection as it was."""
    state = params.get("state") or ""
    if not state:
        raise OAuthFailed("state: missing")
    pending = repository.take_state(_digest(state))
    if pending is None:
        raise OAuthFailed("state: unknown or already used")
    if float(pending["expiresAt"]) < clock.now():
        raise OAuthFailed("state: expired; start the authorization again")
    tenant_id, connection_id = pending["tenantId"], pending["connectionId"]
    connection = repository.get_connection(tenant_id, connection_id)
    if connection is None:
        raise OAuthFailed("state: its connection no longer exists")
    if params.get("error"):
        detail = params.get("error_description") or ""
        raise OAuthFailed(f"Salesforce answered error={params['error']}" + (f" ({detail})" if detail else ""))
    code = params.get("code") or ""
    if not code:
        raise OAuthFailed("code: missing")
    app = connected_app.get()
    login_url = pending["loginUrl"]
    try:
        token = _oauth().exchange_code(
            login_url, app.client_id, app.client_secret, pending["redirectUri"], code, pending["codeVerifier"]
        )
        identity = _oauth().identity(_identity_url(token, login_url), str(token["access_token"]))
    except OAuthRefused as exc:
        raise OAuthFailed(f"Salesforce refused the authorization code ({exc.error}: {exc.description})") from None
    except SalesforceError as exc:
        raise SalesforceFailed(f"Salesforce could not complete the authorization: {exc}") from None
    org_id = str(identity.get("organization_id") or "")
    if connection.get("orgId") and connection["orgId"] != org_id:
        _revoke_quietly(login_url, str(token.get("refresh_token") or token["access_token"]))
        raise OrgMismatch(
            f"The connection is bound to org {connection['orgId']}; the login was to org {org_id}. "
            "Nothing was changed: log in to the bound org."
        )
    tokens = Tokens(str(token["access_token"]), str(token["refresh_token"]), str(token["instance_url"]))
    vault.save(tenant_id, connection_id, tokens)
    first = not connection.get("orgId")
    connection |= {
        "status": AUTHORIZED,
        "orgId": org_id,
        "instanceUrl": tokens.instance_url,
        "authorizedDate": clock.iso(),
        "authorizedAs": identity.get("username"),
    }
    repository.put_connection(tenant_id, connection)
    jobs.connection_authorized(tenant_id, connection, first=first)
    return view(connection)


def _identity_url(token: dict[str, Any], login_url: str) -> str:
    id_url = str(token.get("id") or "")
    if urlsplit(id_url).scheme != "https":
        raise SalesforceUnavailable("the token response has no https identity URL")
    return id_url


def _revoke_quietly(login_url: str, token: str) -> None:
    """A grant for the wrong org is not kept; failing to revoke it must not hide the refusal."""
    with contextlib.suppress(SalesforceError):
        _oauth().revoke(login_url, token)


# ---------------------------------------------------------------- revoke and pause
def revoke(principal: Principal, connection_id: str) -> dict[str, Any]:
    """Revoke at Salesforce (the refresh token takes its access tokens with it), delete
    the stored tokens, disable the jobs. ``salesforceRevocation`` says what Salesforce did."""
    tenant_id = principal.tenant_id
    connection = _connection(tenant_id, connection_id)
    if connection["status"] not in (AUTHORIZED, NEEDS_REAUTHORIZATION):
        raise ConnectionNotAuthorized(f"The connection is {connection['status']}: nothing to revoke")
    tokens = vault.load(tenant_id, connection_id)
    outcome = "NO_TOKENS"
    if tokens is not None:
        try:
            outcome = "REVOKED" if _oauth().revoke(connection["loginUrl"], tokens.refresh_token) else "ALREADY_INVALID"
        except SalesforceError:
            outcome = "UNREACHABLE"  # the platform forgets the tokens anyway
    vault.delete(tenant_id, connection_id)
    connection |= {"status": REVOKED, "revokedDate": clock.iso()}
    repository.put_connection(tenant_id, connection)
    sessions.pause_jobs(tenant_id, connection_id)
    return view(connection) | {"salesforceRevocation": outcome}


# ---------------------------------------------------------------- settings
def set_company_resolution(principal: Principal, connection_id: str, request: CompanyResolution) -> dict[str, Any]:
    source, target = request.sourceField, request.targetField
    connection = _connection(principal.tenant_id, connection_id)
    resolution = {"sourceField": source, "targetField": target}
    connection["companyResolution"] = resolution
    repository.put_connection(principal.tenant_id, connection)
    jobs.company_resolution_changed(principal.tenant_id, connection_id, resolution)
    return view(connection)


def link_tenant(principal: Principal, connection_id: str) -> dict[str, Any]:
    """Mark the connection linked; the org must have the platform's managed package."""
    tenant_id = principal.tenant_id
    connection = _connection(tenant_id, connection_id)
    client = salesforce_client(tenant_id, connection)
    try:
        licenses = list(client.records(MANAGED_PACKAGE_QUERY))
    except ReauthorizationNeeded:
        mark_needs_reauthorization(tenant_id, connection_id)
        raise ConnectionNotAuthorized("Salesforce refused the stored authorization: re-authorize") from None
    except SalesforceError as exc:
        raise SalesforceFailed(f"Salesforce could not be asked for the managed package: {exc}") from None
    if not licenses:
        raise ManagedPackageMissing(
            f"The org {connection['orgId']} does not have the platform's managed package "
            f"({MANAGED_PACKAGE_NAMESPACE}) installed: install it, then link again"
        )
    connection |= {"linked": True, "linkedDate": clock.iso()}
    repository.put_connection(tenant_id, connection)
    return view(connection)
