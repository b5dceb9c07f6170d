"""Security headers (issue 13): every HTML page the product serves has a strict CSP and
cannot be framed or sniffed; every API answer is nosniff and sends no referrer."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
import requests

from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
CALLBACK = "/v1/connectors/salesforce/oauth/callback"


def _directives(response: requests.Response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in policy.split(";")) if d}


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def _assert_html_headers(response: requests.Response) -> dict[str, list[str]]:
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    csp = _directives(response)
    assert csp["default-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    for sources in csp.values():
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "https:", "http:"} & set(sources), csp
    # Every inline block of the page is allowed by its hash, and nothing else inline.
    for tag, directive in (("script", "script-src"), ("style", "style-src")):
        for attributes, source in re.findall(rf"<{tag}([^>]*)>(.*?)</{tag}>", response.text, re.S):
            if "src=" not in attributes:
                assert _hash(source) in csp.get(directive, []), f"inline {tag} not allowed by {directive}"
    assert ' style="' not in response.text  # style attributes would need 'unsafe-inline'
    return csp


def test_the_oauth_callback_page_has_the_security_headers(stack: LocalStack) -> None:
    page = requests.get(f"{stack.api}{CALLBACK}", params={"code": "abc", "state": "forged"}, timeout=10)
    assert page.status_code == 400
    csp = _assert_html_headers(page)
    assert "script-src" not in csp  # the page runs no script at all


def test_swagger_ui_has_the_security_headers_and_needs_no_cdn(stack: LocalStack) -> None:
    page = requests.get(f"{stack.api}/swagger", timeout=10)
    assert page.status_code == 200
    csp = _assert_html_headers(page)
    assert csp["connect-src"] == ["'self'"]
    assert "cdn" not in page.text and "https://" not in page.text
    # The assets the page loads come from this API, with types a browser will not sniff past.
    for url in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        asset = requests.get(f"{stack.api}/swagger{url}" if url.startswith("?") else f"{stack.api}{url}", timeout=10)
        assert asset.status_code == 200, url
        assert asset.headers["Content-Type"].split(";")[0] in ("text/javascript", "text/css"), url
        assert asset.headers["X-Content-Type-Options"] == "nosniff"
        assert len(asset.content) > 10_000, url


def test_api_answers_are_nosniff_without_referrer(stack: LocalStack, tenant: dict[str, str]) -> None:
    for response in (
        requests.get(f"{stack.api}/v1/tenant", headers={"accesskey": tenant["accessKey"]}, timeout=10),
        requests.get(f"{stack.api}/v1/tenant", timeout=10),  # 401, answered before any route
        requests.get(f"{stack.api}/health", timeout=10),
        requests.get(f"{stack.api}/swagger", params={"format": "json"}, timeout=10),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.url
        assert response.headers["Referrer-Policy"] == "no-referrer", response.url
        assert response.headers["X-Frame-Options"] == "DENY", response.url
