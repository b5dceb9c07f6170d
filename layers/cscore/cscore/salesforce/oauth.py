"""OAuth 2.0 web server flow with PKCE against a Salesforce login host, on
requests-oauthlib's ``OAuth2Session``.

Salesforce sends no ``expires_in``; access tokens are refreshed when the REST API
answers 401 (see ``client``). Token values never leave these functions except in
the returned mapping, and are never logged.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

import requests
from oauthlib.oauth2 import OAuth2Error
from requests_oauthlib import OAuth2Session

from cscore.salesforce.errors import OAuthRefused, SalesforceUnavailable

SCOPE = ["api", "refresh_token", "id"]
TIMEOUT = (5, 30)


def pkce_pair() -> tuple[str, str]:
    """A PKCE ``code_verifier`` (86 characters) and its S256 ``code_challenge``."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(login_url: str, client_id: str, redirect_uri: str, state: str, code_challenge: str) -> str:
    session = OAuth2Session(client_id, redirect_uri=redirect_uri, scope=SCOPE)
    url, _ = session.authorization_url(
        f"{login_url}/services/oauth2/authorize",
        state=state,
        code_challenge=code_challenge,
        code_challenge_method="S256",
    )
    return str(url)


def exchange_code(
    login_url: str, client_id: str, client_secret: str, redirect_uri: str, code: str, code_verifier: str
) -> dict[str, Any]:
    """The token response for an authorization code; the verifier is passed explicitly
    because it was generated in another invocation (kept server-side with the state)."""
    # No scope here: Salesforce may grant a superset (e.g. ``web``), which oauthlib
    # would otherwise treat as a changed scope and refuse.
    session = OAuth2Session(client_id, redirect_uri=redirect_uri)
    return _token_request(
        session.fetch_token,
        f"{login_url}/services/oauth2/token",
        code=code,
        client_secret=client_secret,
        code_verifier=code_verifier,
        include_client_id=True,
    )


def refresh(login_url: str, client_id: str, client_secret: str, refresh_token: str) -> dict[str, Any]:
    """A new access token (and a new refresh token when the connected app rotates them)."""
    session = OAuth2Session(client_id)
    return _token_request(
        session.refresh_token,
        f"{login_url}/services/oauth2/token",
        refresh_token=refresh_token,
        client_id=client_id,
        client_secret=client_secret,
    )


def _token_request(call: Callable[..., Any], token_url: str, **arguments: Any) -> dict[str, Any]:
    """A token endpoint call with its failures in this package's terms."""
    try:
        return dict(call(token_url, timeout=TIMEOUT, **arguments))
    except OAuth2Error as exc:
        raise OAuthRefused(exc.error, exc.description or "") from None
    except requests.RequestException as exc:
        raise SalesforceUnavailable(f"token endpoint unreachable: {type(exc).__name__}") from None


def identity(id_url: str, access_token: str) -> dict[str, Any]:
    """The identity URL's answer (``organization_id``, ``user_id``, ``username`` ...)."""
    session = OAuth2Session(token={"access_token": access_token, "token_type": "Bearer"})
    try:
        response = session.get(id_url, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise SalesforceUnavailable(f"identity URL unreachable: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise SalesforceUnavailable(f"identity URL answered {response.status_code}")
    return dict(response.json())


def revoke(login_url: str, token: str) -> bool:
    """Revoke a token (a refresh token takes its access tokens with it). False when
    Salesforce no longer knows the token (already revoked or expired)."""
    try:
        response = requests.post(f"{login_url}/services/oauth2/revoke", data={"token": token}, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise SalesforceUnavailable(f"revoke endpoint unreachable: {type(exc).__name__}") from None
    if response.status_code == 200:
        return True
    if response.status_code == 400:
        return False
    raise SalesforceUnavailable(f"revoke endpoint answered {response.status_code}")
