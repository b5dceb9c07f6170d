"""Drive the stand-in Salesforce org like an admin's browser, and reach its test hooks."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from tests.integration.stack import LocalStack


class _Forms(HTMLParser):
    """The forms of a page: action, method, and input/button name -> value."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(
                {"action": a.get("action", ""), "method": a.get("method", "get"), "fields": {}, "buttons": {}}
            )
        elif tag == "input" and self.forms and a.get("name") and a.get("type") != "submit":
            self.forms[-1]["fields"][a["name"]] = a.get("value", "")
        elif tag in ("button", "input") and self.forms and a.get("name"):
            self.forms[-1]["buttons"].setdefault(a["name"], []).append(a.get("value", ""))


def forms_of(html: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


@dataclass
class Consent:
    """Where the browser stands after logging in: the consent page, not yet answered."""

    browser: Browser
    page_url: str
    form: dict[str, Any]

    def press(self, decision: str) -> str:
        """Press Allow or Deny; returns the redirect (to the callback) without following it."""
        assert decision in self.form["buttons"].get("decision", []), self.form
        response = self.browser.session.post(
            urljoin(self.page_url, self.form["action"] or self.page_url),
            data=self.form["fields"] | {"decision": decision},
            allow_redirects=False,
            timeout=30,
            verify=self.browser.verify,
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]


class Browser:
    """An HTTP client that fills Salesforce's login form and answers its consent page."""

    def __init__(self, ca_bundle: str) -> None:
        self.session = requests.Session()
        # Per request: a REQUESTS_CA_BUNDLE in the environment would override session.verify.
        self.verify = ca_bundle

    def log_in(self, authorization_url: str, username: str, password: str) -> Consent:
        page = self.session.get(authorization_url, timeout=30, verify=self.verify)
        assert page.status_code == 200, page.text
        (login,) = [f for f in forms_of(page.text) if "username" in f["fields"] and "password" in f["fields"]]
        answer = self.session.post(
            urljoin(page.url, login["action"] or page.url),
            data=login["fields"] | {"username": username, "password": password},
            timeout=30,
            verify=self.verify,
        )
        assert answer.status_code == 200, answer.text
        consent = [f for f in forms_of(answer.text) if "decision" in f["buttons"]]
        assert consent, f"no consent page after logging in as {username}: {answer.text[:500]}"
        return Consent(self, answer.url, consent[0])

    def authorize(self, authorization_url: str, username: str, password: str, decision: str = "allow") -> str:
        """Log in, press the button, return the callback URL Salesforce redirected to."""
        return self.log_in(authorization_url, username, password).press(decision)

    def open(self, url: str) -> requests.Response:
        """Follow a redirect to the platform's callback (plain HTTP locally)."""
        return requests.get(url, timeout=60)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


class Sandbox:
    """The stand-in org's ``/__sandbox/`` hooks (never part of real Salesforce)."""

    def __init__(self, stack: LocalStack) -> None:
        self.url = stack.info["salesforce"]["url"]
        self.ca = stack.info["salesforce"]["caBundle"]

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.url}/__sandbox{path}", verify=self.ca, timeout=60, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def new_org(self, name: str, **options: Any) -> dict[str, Any]:
        return dict(self.call("POST", "/orgs", json={"name": name, **options}))

    def tokens(self, org_id: str) -> list[dict[str, Any]]:
        return list(self.call("GET", f"/orgs/{org_id}/tokens")["tokens"])
