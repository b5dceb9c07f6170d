"""OAuth 2.0 web server flow endpoints: authorize (login + consent pages), token, revoke, identity.

Error bodies, status codes and token shapes follow Salesforce, including its quirks (no expires_in,
issued_at in epoch ms as a string, the HMAC signature over id + issued_at).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from sforg import ids, pages
from sforg.org import Org
from sforg.state import CODE_TTL_MS, TICKET_TTL_MS, AuthCode, ServerState, Ticket, Token, random_text
from sforg.timefmt import format_dt
from sforg.wire import bearer, json_response

DEFAULT_SCOPE = "refresh_token id api"
_NO_STORE = {"Cache-Control": "no-cache,must-revalidate,max-age=0,no-store,private", "Pragma": "no-cache"}


def _html(text: str, status: int = 200) -> Response:
    return Response(text, status=status, content_type="text/html;charset=UTF-8", headers=_NO_STORE)


def _redirect(uri: str, params: dict[str, str | None]) -> Response:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return Response("", status=302, headers={"Location": f"{uri}{'&' if '?' in uri else '?'}{query}", **_NO_STORE})


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return json_response({"error": error, "error_description": description}, status, _NO_STORE)


def _wall_ms() -> int:
    """Clock for codes and tickets, which exist before an org is known."""
    return int(time.time() * 1000)


# -- authorize ------------------------------------------------------------------------------------
def authorize(state: ServerState, request: Request) -> Response:
    if request.method == "POST":
        return _authorize_post(state, request)
    args = request.args
    client_id = args.get("client_id", "")
    redirect_uri = args.get("redirect_uri", "")
    with state.lock:
        app = state.apps.get(client_id)
        if app is None:
            return _html(pages.error_page("invalid_client_id", "client identifier invalid"), 400)
        if redirect_uri not in app.redirect_uris:
            return _html(pages.error_page("redirect_uri_mismatch", "redirect_uri must match configuration"), 400)
        client_state = args.get("state")
        if args.get("response_type") != "code":
            return _redirect(
                redirect_uri,
                {
                    "error": "unsupported_response_type",
                    "error_description": "response type not supported",
                    "state": client_state,
                },
            )
        challenge = args.get("code_challenge") or None
        method = args.get("code_challenge_method") or "S256"
        if challenge is not None and method != "S256":
            return _redirect(
                redirect_uri,
                {
                    "error": "invalid_request",
                    "error_description": "invalid code challenge method",
                    "state": client_state,
                },
            )
        scope = " ".join(dict.fromkeys((args.get("scope") or DEFAULT_SCOPE).split()))
        ticket = secrets.token_urlsafe(24)
        state.tickets[ticket] = Ticket("login", client_id, redirect_uri, scope, client_state, challenge, _wall_ms())
        _sweep_tickets(state)
    return _html(pages.login_page(ticket, args.get("login_hint", "")))


def _sweep_tickets(state: ServerState) -> None:
    now = _wall_ms()
    for key in [k for k, t in state.tickets.items() if now - t.created_ms > TICKET_TTL_MS]:
        del state.tickets[key]


def _authorize_post(state: ServerState, request: Request) -> Response:
    form = request.form
    ticket_id = form.get("ticket", "")
    with state.lock:
        ticket = state.tickets.get(ticket_id)
        if ticket is None or _wall_ms() - ticket.created_ms > TICKET_TTL_MS or form.get("step") != ticket.step:
            return _html(pages.error_page("invalid_request", "authorization request expired or already used"), 400)
        app = state.apps.get(ticket.client_id)
        if app is None:
            del state.tickets[ticket_id]
            return _html(pages.error_page("invalid_client_id", "client identifier invalid"), 400)
        if ticket.step == "login":
            username = form.get("username", "")
            org = state.org_for_login(username, form.get("password", ""))
            if org is None:
                return _html(
                    pages.login_page(
                        ticket_id,
                        username,
                        "Please check your username and password. "
                        "If you still can't log in, contact your Salesforce administrator.",
                    )
                )
            del state.tickets[ticket_id]
            consent_id = secrets.token_urlsafe(24)
            state.tickets[consent_id] = Ticket(
                "consent",
                ticket.client_id,
                ticket.redirect_uri,
                ticket.scope,
                ticket.state,
                ticket.code_challenge,
                _wall_ms(),
                org.org_id,
                org.login_user_id,
            )
            return _html(
                pages.consent_page(consent_id, app.name or app.client_id, org.name, org.username, ticket.scope.split())
            )
        del state.tickets[ticket_id]
        decision = form.get("decision")
        if decision != "allow":
            return _redirect(
                ticket.redirect_uri,
                {"error": "access_denied", "error_description": "end-user denied authorization", "state": ticket.state},
            )
        code = "aPrx" + random_text(80, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") + "=="
        state.codes[code] = AuthCode(
            ticket.org_id or "",
            ticket.user_id or "",
            ticket.client_id,
            ticket.redirect_uri,
            ticket.scope,
            ticket.code_challenge,
            _wall_ms() + CODE_TTL_MS,
        )
        return _redirect(ticket.redirect_uri, {"code": code, "state": ticket.state})


# -- token ----------------------------------------------------------------------------------------
def _client_credentials(request: Request, params: Any) -> tuple[str, str]:
    auth = request.authorization
    if auth is not None and auth.type == "basic" and auth.username:
        return auth.username or "", auth.password or ""
    return params.get("client_id", ""), params.get("client_secret", "")


def _token_body(state: ServerState, org: Org, access: Token, refresh: Token | None, secret: str) -> dict[str, Any]:
    id_url = f"{state.url}/id/{org.org_id}/{access.user_id}"
    issued_at = str(access.issued_ms)
    signature = base64.b64encode(hmac.new(secret.encode(), (id_url + issued_at).encode(), hashlib.sha256).digest())
    body: dict[str, Any] = {"access_token": access.value}
    if refresh is not None:
        body["refresh_token"] = refresh.value
    body.update(
        {
            "signature": signature.decode(),
            "scope": access.scope,
            "instance_url": state.url,
            "id": id_url,
            "token_type": "Bearer",
            "issued_at": issued_at,
        }
    )
    return body


def token(state: ServerState, request: Request) -> Response:
    params = request.form if request.form else request.args
    grant = params.get("grant_type", "")
    if request.method != "POST":
        return _oauth_error("invalid_request", "must use HTTP POST", 400)
    if grant not in ("authorization_code", "refresh_token"):
        return _oauth_error("unsupported_grant_type", "grant type not supported")
    client_id, client_secret = _client_credentials(request, params)
    with state.lock:
        app = state.apps.get(client_id)
        if app is None:
            return _oauth_error("invalid_client_id", "client identifier invalid")
        if not secrets.compare_digest(app.client_secret.encode(), client_secret.encode()):
            return _oauth_error("invalid_client", "invalid client credentials")
        if grant == "authorization_code":
            return _code_grant(state, request, params, app.client_id, app.client_secret)
        return _refresh_grant(state, request, params, app.client_id, app.client_secret, app.rotate_refresh_tokens)


def _code_grant(state: ServerState, request: Request, params: Any, client_id: str, secret: str) -> Response:
    code = state.codes.pop(params.get("code", ""), None)  # single use, whatever happens next
    if code is None or code.client_id != client_id or _wall_ms() > code.expires_ms:
        return _oauth_error("invalid_grant", "invalid authorization code")
    org = state.orgs.get(code.org_id)
    if org is None:
        return _oauth_error("invalid_grant", "invalid authorization code")
    org.stats_token_requests += 1
    response = _code_grant_checked(state, params, code, org, client_id, secret)
    org.record_request(request.method, request.path, response.status_code)
    return response


def _code_grant_checked(
    state: ServerState, params: Any, code: AuthCode, org: Org, client_id: str, secret: str
) -> Response:
    if params.get("redirect_uri", "") != code.redirect_uri:
        return _oauth_error("redirect_uri_mismatch", "redirect_uri must match configuration")
    if code.code_challenge is not None:
        verifier = params.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or not secrets.compare_digest(digest, code.code_challenge):
            return _oauth_error("invalid_grant", "invalid code verifier")
    refresh = state.issue("refresh", org, code.user_id, client_id, code.scope)
    access = state.issue("access", org, code.user_id, client_id, code.scope, parent=refresh.value)
    return json_response(_token_body(state, org, access, refresh, secret), 200, _NO_STORE)


def _refresh_grant(
    state: ServerState, request: Request, params: Any, client_id: str, secret: str, rotate: bool
) -> Response:
    value = params.get("refresh_token", "")
    old = state.tokens.get(value)
    org = state.orgs.get(old.org_id) if old is not None else None
    if old is None or org is None:
        return _oauth_error("invalid_grant", "expired access/refresh token")
    org.stats_token_requests += 1
    faulted = org.take_fault(("invalid_grant",), request.path) is not None
    live = old.kind == "refresh" and old.client_id == client_id and old.status(org.now_ms()) == "ACTIVE"
    if faulted or not live:
        response = _oauth_error("invalid_grant", "expired access/refresh token")
    else:
        refresh: Token | None = None
        parent = old.value
        if rotate:
            refresh = state.issue("refresh", org, old.user_id, client_id, old.scope)
            parent = refresh.value
            state.revoke(old, org.now_ms(), cascade=False)
        access = state.issue("access", org, old.user_id, client_id, old.scope, parent=parent)
        response = json_response(_token_body(state, org, access, refresh, secret), 200, _NO_STORE)
    org.record_request(request.method, request.path, response.status_code)
    return response


# -- revoke ---------------------------------------------------------------------------------------
def revoke(state: ServerState, request: Request) -> Response:
    value = (request.form.get("token") if request.method == "POST" else None) or request.args.get("token", "")
    with state.lock:
        tok = state.tokens.get(value)
        org = state.orgs.get(tok.org_id) if tok is not None else None
        if tok is None or org is None or tok.revoked_ms is not None:
            return _oauth_error("invalid_token", "invalid token")
        state.revoke(tok, org.now_ms())
        org.record_request(request.method, request.path, 200)
    return Response("", status=200, headers=_NO_STORE)


# -- identity -------------------------------------------------------------------------------------
def _user_claims(state: ServerState, org: Org, user: dict[str, Any]) -> dict[str, Any]:
    return {
        "user_id": user["Id"],
        "organization_id": org.org_id,
        "username": user["Username"],
        "nick_name": user["Username"].split("@", 1)[0],
        "display_name": user["Name"],
        "email": user["Email"],
        "email_verified": True,
        "first_name": user["FirstName"],
        "last_name": user["LastName"],
        "timezone": user["TimeZoneSidKey"],
        "active": user["IsActive"],
        "user_type": str(user["UserType"]).upper(),
        "language": user["LanguageLocaleKey"],
        "locale": user["LocaleSidKey"],
        "utcOffset": 32400000 if user["TimeZoneSidKey"] == "Asia/Tokyo" else -28800000,
        "last_modified_date": format_dt(user["LastModifiedDate"]),
        "is_app_installed": True,
    }


def identity(state: ServerState, request: Request, org_part: str, user_part: str) -> Response:
    value = bearer(request) or request.args.get("oauth_token") or request.args.get("access_token")
    with state.lock:
        tok, org = state.access_token(value)
        if tok is None or org is None:
            if org is not None:
                org.record_request(request.method, request.path, 401)
            return Response("Bad_OAuth_Token", status=401, content_type="text/plain;charset=UTF-8")
        try:
            same = ids.to18(org_part) == tok.org_id and ids.to18(user_part) == tok.user_id
        except ValueError:
            same = False
        user = org.user(tok.user_id)
        if not same or user is None:
            org.record_request(request.method, request.path, 403)
            return Response("Bad_Id", status=403, content_type="text/plain;charset=UTF-8")
        base = state.url
        body = {
            "id": f"{base}/id/{org.org_id}/{user['Id']}",
            "asserted_user": True,
            **_user_claims(state, org, user),
            "status": {"created_date": None, "body": None},
            "photos": {
                "picture": f"{base}/profilephoto/005/F",
                "thumbnail": f"{base}/profilephoto/005/T",
            },
            "urls": {
                "enterprise": f"{base}/services/Soap/c/{{version}}/{org.org_id[:15]}",
                "metadata": f"{base}/services/Soap/m/{{version}}/{org.org_id[:15]}",
                "partner": f"{base}/services/Soap/u/{{version}}/{org.org_id[:15]}",
                "rest": f"{base}/services/data/v{{version}}/",
                "sobjects": f"{base}/services/data/v{{version}}/sobjects/",
                "search": f"{base}/services/data/v{{version}}/search/",
                "query": f"{base}/services/data/v{{version}}/query/",
                "recent": f"{base}/services/data/v{{version}}/recent/",
                "tooling_rest": f"{base}/services/data/v{{version}}/tooling/",
                "profile": f"{base}/{user['Id']}",
                "users": f"{base}/services/data/v{{version}}/chatter/users",
                "custom_domain": base,
            },
        }
        org.record_request(request.method, request.path, 200)
    return json_response(body)


def userinfo(state: ServerState, request: Request) -> Response:
    """OpenID Connect userinfo (same claims as the identity URL, OIDC names)."""
    with state.lock:
        tok, org = state.access_token(bearer(request))
        user = org.user(tok.user_id) if tok is not None and org is not None else None
        if tok is None or org is None or user is None:
            return Response("Bad_OAuth_Token", status=401, content_type="text/plain;charset=UTF-8")
        claims = _user_claims(state, org, user)
        body = {
            "sub": f"{state.url}/id/{org.org_id}/{user['Id']}",
            "preferred_username": claims["username"],
            "name": claims["display_name"],
            "given_name": claims["first_name"],
            "family_name": claims["last_name"],
            "zoneinfo": claims["timezone"],
            "updated_at": claims["last_modified_date"],
            **claims,
        }
    return json_response(body)
