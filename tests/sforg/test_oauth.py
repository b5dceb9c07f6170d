"""The OAuth 2.0 web server flow, as a browser and a connector client see it on the wire."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from sforg import ConnectedApp
from tests.sforg.support import REDIRECT_URI, Client, forms, pkce_pair, redirect_params


def _tokens(client: Client, org: dict[str, Any]) -> list[dict[str, Any]]:
    return client.sandbox("GET", f"/orgs/{org['orgId']}/tokens")["tokens"]


def test_browser_flow_with_pkce_issues_salesforce_shaped_tokens(
    client: Client, org: dict[str, Any], app: ConnectedApp
) -> None:
    verifier, challenge = pkce_pair()
    url = client.authorize_url(app, challenge, state="xyz/ 1")
    login = client.http.get(url)
    assert login.status_code == 200 and login.headers["Content-Type"].startswith("text/html")
    (form,) = forms(login.text)
    assert form.method == "post" and {"username", "password"} <= set(form.fields)
    assert [k for k in form.fields if k not in ("username", "password")], "hidden ticket fields expected"
    consent = client.submit(url, login.text, {"username": org["username"], "password": org["password"]})
    assert consent.status_code == 200
    assert org["name"] in consent.text and app.client_id in consent.text
    (consent_form,) = forms(consent.text)
    assert ("decision", "allow") in consent_form.buttons and ("decision", "deny") in consent_form.buttons
    params = redirect_params(client.submit(url, consent.text, {"decision": "allow"}))
    assert params["state"] == "xyz/ 1"

    response = client.exchange(app, params["code"], verifier)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "access_token", "refresh_token", "signature", "scope", "instance_url", "id", "token_type", "issued_at"
    }  # fmt: skip
    assert "expires_in" not in body
    assert body["token_type"] == "Bearer" and body["instance_url"] == client.url
    assert body["scope"] == "refresh_token id api"
    assert re.fullmatch(r"\d{13}", body["issued_at"])
    assert re.fullmatch(re.escape(org["orgId"][:15]) + r"![A-Za-z0-9._]{100,}", body["access_token"])
    assert re.fullmatch(r"5Aep861[A-Za-z0-9._]{80}", body["refresh_token"])
    assert re.fullmatch(re.escape(f"{client.url}/id/{org['orgId']}/") + r"005\w{15}", body["id"])
    expected = hmac.new(app.client_secret.encode(), (body["id"] + body["issued_at"]).encode(), hashlib.sha256)
    assert base64.b64decode(body["signature"]) == expected.digest()


def test_ticket_is_single_use(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    consent = client.login(org, app, pkce_pair()[1])
    first = client.submit(client.url + "/services/oauth2/authorize", consent, {"decision": "allow"})
    assert first.status_code == 302
    again = client.submit(client.url + "/services/oauth2/authorize", consent, {"decision": "allow"})
    assert again.status_code == 400 and "Location" not in again.headers


def test_wrong_verifier_and_missing_verifier(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    _, challenge = pkce_pair()
    response = client.exchange(app, client.code(org, app, challenge), "not-the-verifier-" + "x" * 40)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "invalid code verifier"}
    response = client.exchange(app, client.code(org, app, challenge), None)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_code_is_single_use(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    verifier, challenge = pkce_pair()
    code = client.code(org, app, challenge)
    assert client.exchange(app, code, verifier).status_code == 200
    replay = client.exchange(app, code, verifier)
    assert replay.status_code == 400
    assert replay.json() == {"error": "invalid_grant", "error_description": "invalid authorization code"}


def test_deny_redirects_with_access_denied(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    consent = client.login(org, app, None, state="s-deny")
    response = client.submit(client.url + "/services/oauth2/authorize", consent, {"decision": "deny"})
    assert response.status_code == 302
    assert response.headers["Location"] == (
        f"{REDIRECT_URI}?error=access_denied&error_description=end-user+denied+authorization&state=s-deny"
    )


def test_wrong_password_shows_the_login_page_again(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    url = client.authorize_url(app, None)
    page = client.http.get(url)
    again = client.submit(url, page.text, {"username": org["username"], "password": "wrong"})
    assert again.status_code == 200
    assert "Please check your username and password." in again.text
    (form,) = forms(again.text)
    assert "password" in form.fields
    consent = client.submit(url, again.text, {"username": org["username"], "password": org["password"]})
    assert consent.status_code == 200 and 'value="allow"' in consent.text


def test_unknown_client_and_redirect_mismatch_never_redirect(client: Client, app: ConnectedApp) -> None:
    base = f"{client.url}/services/oauth2/authorize?response_type=code"
    response = client.http.get(f"{base}&client_id=nope&redirect_uri={REDIRECT_URI}", allow_redirects=False)
    assert response.status_code == 400 and "invalid_client_id" in response.text
    response = client.http.get(
        f"{base}&client_id={app.client_id}&redirect_uri={REDIRECT_URI}/other", allow_redirects=False
    )
    assert response.status_code == 400 and "redirect_uri_mismatch" in response.text
    assert "Location" not in response.headers


def test_unsupported_response_type_redirects(client: Client, app: ConnectedApp) -> None:
    url = client.authorize_url(app, None).replace("response_type=code", "response_type=token")
    params = redirect_params(client.http.get(url, allow_redirects=False))
    assert params["error"] == "unsupported_response_type" and params["state"] == "st-1"


def test_token_endpoint_errors(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    verifier, challenge = pkce_pair()
    code = client.code(org, app, challenge)
    wrong_secret = client.token(
        grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI, client_id=app.client_id,
        client_secret="bad", code_verifier=verifier,
    )  # fmt: skip
    assert wrong_secret.status_code == 400
    assert wrong_secret.json() == {"error": "invalid_client", "error_description": "invalid client credentials"}
    mismatch = client.token(
        grant_type="authorization_code", code=code, redirect_uri=REDIRECT_URI + "x", client_id=app.client_id,
        client_secret=app.client_secret, code_verifier=verifier,
    )  # fmt: skip
    assert mismatch.status_code == 400 and mismatch.json()["error"] == "redirect_uri_mismatch"
    grant = client.token(grant_type="password", client_id=app.client_id, client_secret=app.client_secret)
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


def test_client_credentials_in_basic_auth(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    verifier, challenge = pkce_pair()
    code = client.code(org, app, challenge)
    response = client.http.post(
        f"{client.url}/services/oauth2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        auth=(app.client_id, app.client_secret),
    )
    assert response.status_code == 200, response.text


def test_refresh_without_rotation(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    first = client.connect(org, app)
    for _ in range(2):
        response = client.refresh(app, first["refresh_token"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert "refresh_token" not in body and body["access_token"] != first["access_token"]
        assert client.query(body["access_token"], "SELECT COUNT() FROM Account")["totalSize"] == 8


def test_refresh_with_rotation_kills_the_old_refresh_token(client: Client, org: dict[str, Any]) -> None:
    rotating = client.new_app(rotate=True)
    first = client.connect(org, rotating)
    second = client.refresh(rotating, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    old = client.refresh(rotating, first["refresh_token"])
    assert old.status_code == 400
    assert old.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    third = client.refresh(rotating, second["refresh_token"])
    assert third.status_code == 200 and "refresh_token" in third.json()


def test_refresh_token_of_another_app_is_rejected(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    other = client.new_app()
    body = client.connect(org, app)
    assert client.refresh(other, body["refresh_token"]).json()["error"] == "invalid_grant"


def test_revoke_access_token_only(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    body = client.connect(org, app)
    response = client.http.post(f"{client.url}/services/oauth2/revoke", data={"token": body["access_token"]})
    assert response.status_code == 200 and response.text == ""
    assert client.rest(body["access_token"], "/services/data/v60.0/limits").status_code == 401
    assert client.refresh(app, body["refresh_token"]).status_code == 200
    statuses = {t["value"]: t["status"] for t in _tokens(client, org)}
    assert statuses[body["access_token"]] == "REVOKED" and statuses[body["refresh_token"]] == "ACTIVE"


def test_revoke_refresh_token_revokes_its_access_tokens(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    body = client.connect(org, app)
    refreshed = client.refresh(app, body["refresh_token"]).json()
    response = client.http.get(f"{client.url}/services/oauth2/revoke", params={"token": body["refresh_token"]})
    assert response.status_code == 200
    for value in (body["access_token"], refreshed["access_token"]):
        assert client.rest(value, "/services/data/v60.0/limits").status_code == 401
    assert client.refresh(app, body["refresh_token"]).json()["error"] == "invalid_grant"
    listed = {t["value"]: t for t in _tokens(client, org)}
    for value in (body["refresh_token"], body["access_token"], refreshed["access_token"]):
        assert listed[value]["status"] == "REVOKED" and listed[value]["revokedAt"]
    again = client.http.post(f"{client.url}/services/oauth2/revoke", data={"token": "nonsense"})
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_token", "error_description": "invalid token"}


def test_identity_url(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {session['access_token']}"}
    response = client.http.get(session["id"], headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    org_id, user_id = session["id"].rsplit("/", 2)[-2:]
    assert body["id"] == session["id"] and body["asserted_user"] is True
    assert body["organization_id"] == org_id == org["orgId"] and body["user_id"] == user_id
    assert body["username"] == org["username"] and body["user_type"] == "STANDARD" and body["active"] is True
    for key in ("nick_name", "display_name", "email", "language", "locale", "utcOffset", "last_modified_date", "urls"):
        assert key in body
    other = client.new_org()
    wrong = client.http.get(f"{client.url}/id/{other['orgId']}/{user_id}", headers=headers)
    assert wrong.status_code == 403 and "Bad_Id" in wrong.text
    bad = client.http.get(session["id"], headers={"Authorization": "Bearer 00Dxx!nope"})
    assert bad.status_code == 401 and "Bad_OAuth_Token" in bad.text


def test_login_user_is_an_active_standard_user(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    user_id = session["id"].rsplit("/", 1)[-1]
    soql = f"SELECT Username, UserType, IsActive FROM User WHERE Id = '{user_id[:15]}'"
    (user,) = client.query(session["access_token"], soql)["records"]
    assert (user["Username"], user["UserType"], user["IsActive"]) == (org["username"], "Standard", True)
