"""Client-side helpers for the stand-in org tests: a browser-like OAuth flow and the sandbox hooks."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from sforg import ConnectedApp, OrgServer

REDIRECT_URI = "https://app.example.test/oauth/callback"


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag == "input" and self.forms and a.get("type") != "submit" and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms and a.get("name"):
            self.forms[-1].buttons.append((a["name"], a.get("value", "")))


def forms(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def redirect_params(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


class VerifyingSession(requests.Session):
    """A session that verifies with one CA bundle on every request.

    Session.verify alone loses to REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE in the environment (requests
    merges the environment's bundle into each request), so the bundle is passed per request.
    """

    def __init__(self, ca_bundle: str) -> None:
        super().__init__()
        self.ca_bundle = ca_bundle

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("verify", self.ca_bundle)
        return super().request(method, url, *args, **kwargs)


class Client:
    """requests against one server, always verifying TLS with the server's own CA."""

    def __init__(self, server: OrgServer) -> None:
        self.server = server
        self.url = server.url
        self.http = VerifyingSession(str(server.ca_pem_path))

    # -- sandbox hooks --------------------------------------------------------------------------
    def sandbox(self, method: str, path: str, body: Any = None, ok: bool = True) -> Any:
        response = self.http.request(method, f"{self.url}/__sandbox{path}", json=body)
        if ok:
            assert response.status_code < 300, response.text
            return response.json()
        return response

    def new_org(self, **spec: Any) -> dict[str, Any]:
        spec.setdefault("name", f"Org {secrets.token_hex(4)}")
        spec.setdefault("users", 6)
        spec.setdefault("accounts", 8)
        return self.sandbox("POST", "/orgs", spec)

    def new_app(self, rotate: bool = False) -> ConnectedApp:
        app = ConnectedApp(
            f"3MVG9{secrets.token_hex(20)}", secrets.token_hex(32), [REDIRECT_URI], rotate_refresh_tokens=rotate
        )
        self.server.register_connected_app(app)
        return app

    def create(self, org: dict[str, Any], obj: str, **fields: Any) -> dict[str, Any]:
        return self.sandbox("POST", f"/orgs/{org['orgId']}/records/{obj}", fields)["record"]

    def delete(self, org: dict[str, Any], obj: str, rid: str) -> Any:
        return self.sandbox("DELETE", f"/orgs/{org['orgId']}/records/{obj}/{rid}")

    def advance(self, org: dict[str, Any], seconds: float) -> Any:
        return self.sandbox("POST", f"/orgs/{org['orgId']}/clock", {"advanceSeconds": seconds})

    # -- OAuth ----------------------------------------------------------------------------------
    def authorize_url(self, app: ConnectedApp, challenge: str | None, state: str = "st-1", **extra: str) -> str:
        params = {
            "response_type": "code",
            "client_id": app.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": "refresh_token id api",
            "state": state,
            **extra,
        }
        if challenge:
            params.update({"code_challenge": challenge, "code_challenge_method": "S256"})
        return f"{self.url}/services/oauth2/authorize?" + "&".join(
            f"{k}={requests.utils.quote(v, safe='')}" for k, v in params.items()
        )

    def submit(self, page_url: str, html: str, values: dict[str, str]) -> requests.Response:
        (form,) = forms(html)
        assert form.method == "post"
        data = {**form.fields, **values}
        return self.http.post(urljoin(page_url, form.action), data=data, allow_redirects=False)

    def login(self, org: dict[str, Any], app: ConnectedApp, challenge: str | None, state: str = "st-1") -> str:
        """Through the login page; answers the consent page's HTML."""
        url = self.authorize_url(app, challenge, state)
        page = self.http.get(url)
        assert page.status_code == 200, page.text
        consent = self.submit(url, page.text, {"username": org["username"], "password": org["password"]})
        assert consent.status_code == 200
        assert 'value="allow"' in consent.text
        return consent.text

    def code(self, org: dict[str, Any], app: ConnectedApp, challenge: str | None, state: str = "st-1") -> str:
        consent = self.login(org, app, challenge, state)
        params = redirect_params(self.submit(self.url + "/services/oauth2/authorize", consent, {"decision": "allow"}))
        assert params["state"] == state
        return params["code"]

    def token(self, **data: str) -> requests.Response:
        return self.http.post(f"{self.url}/services/oauth2/token", data=data)

    def exchange(self, app: ConnectedApp, code: str, verifier: str | None) -> requests.Response:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        }
        if verifier is not None:
            data["code_verifier"] = verifier
        return self.token(**data)

    def connect(self, org: dict[str, Any], app: ConnectedApp) -> dict[str, Any]:
        """The whole web server flow with PKCE; answers the token response body."""
        verifier, challenge = pkce_pair()
        response = self.exchange(app, self.code(org, app, challenge), verifier)
        assert response.status_code == 200, response.text
        return response.json()

    def refresh(self, app: ConnectedApp, refresh_token: str) -> requests.Response:
        return self.token(
            grant_type="refresh_token",
            refresh_token=refresh_token,
            client_id=app.client_id,
            client_secret=app.client_secret,
        )

    # -- REST -----------------------------------------------------------------------------------
    def rest(self, access_token: str, path: str, batch: int | None = None, **params: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {access_token}"}
        if batch:
            headers["Sforce-Query-Options"] = f"batchSize={batch}"
        return self.http.get(f"{self.url}{path}", headers=headers, params=params or None)

    def query(self, access_token: str, soql: str, *, all_rows: bool = False, version: str = "60.0") -> Any:
        response = self.rest(access_token, f"/services/data/v{version}/{'queryAll' if all_rows else 'query'}", q=soql)
        assert response.status_code == 200, response.text
        return response.json()

    def query_pages(self, access_token: str, soql: str, batch: int | None = None) -> list[dict[str, Any]]:
        pages = [self.rest(access_token, "/services/data/v60.0/query", batch=batch, q=soql).json()]
        while not pages[-1]["done"]:
            response = self.rest(access_token, pages[-1]["nextRecordsUrl"], batch=batch)
            assert response.status_code == 200, response.text
            pages.append(response.json())
        return pages
