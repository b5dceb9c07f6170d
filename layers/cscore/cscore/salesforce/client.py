"""Salesforce REST client for one connection, on requests-oauthlib's ``OAuth2Session``.

* Salesforce sends no ``expires_in``: on 401 ``INVALID_SESSION_ID`` the client refreshes
  once and retries; a rotated refresh token is handed to ``on_tokens_changed`` to be
  persisted; ``invalid_grant`` raises ``ReauthorizationNeeded``.
* 5xx answers and connection errors are retried with exponential backoff;
  ``REQUEST_LIMIT_EXCEEDED`` raises ``RequestLimitExceeded`` (the caller stops cleanly).
* ``Sforce-Limit-Info`` is read on every answer (``api_usage``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import requests
from requests_oauthlib import OAuth2Session

from cscore.salesforce import oauth
from cscore.salesforce.errors import (
    OAuthRefused,
    ReauthorizationNeeded,
    RequestLimitExceeded,
    SalesforceApiError,
    SalesforceUnavailable,
)
from cscore.salesforce.tokens import AppCredentials, Tokens

TIMEOUT = (5, 60)
MAX_BATCH_SIZE = 2000


class SalesforceClient:
    def __init__(
        self,
        tokens: Tokens,
        app: AppCredentials,
        api_version: str,
        on_tokens_changed: Callable[[Tokens], None],
        *,
        retries: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.tokens = tokens
        self.app = app
        self.api_version = api_version
        self.on_tokens_changed = on_tokens_changed
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep
        self.calls = 0  # REST calls sent, retries included
        self.api_usage: tuple[int, int] | None = None
        self._session = self._new_session()

    def _new_session(self) -> OAuth2Session:
        return OAuth2Session(
            self.app.client_id, token={"access_token": self.tokens.access_token, "token_type": "Bearer"}
        )

    # ------------------------------------------------------------------ requests
    def url(self, path: str) -> str:
        """An absolute URL for a path under the instance (``/services/...``) or a
        version-relative one (``query``, ``sobjects/Account/describe``)."""
        if not path.startswith("/"):
            path = f"/services/data/{self.api_version}/{path}"
        return f"{self.tokens.instance_url}{path}"

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        refreshed = False
        attempt = 0
        while True:
            try:
                self.calls += 1
                response = self._session.get(self.url(path), params=params, headers=headers, timeout=TIMEOUT)
            except requests.RequestException as exc:
                attempt = self._retry_or_raise(attempt, f"Salesforce unreachable ({type(exc).__name__})")
                continue
            self._read_limit_info(response)
            if response.status_code < 300:
                return response.json()
            if response.status_code >= 500:
                attempt = self._retry_or_raise(attempt, f"Salesforce answered {response.status_code}")
                continue
            code, message = _error_of(response)
            if response.status_code == 401 and not refreshed:
                self.refresh()
                refreshed = True
                continue
            if code == "REQUEST_LIMIT_EXCEEDED":
                raise RequestLimitExceeded(message)
            raise SalesforceApiError(response.status_code, code, message)

    def _retry_or_raise(self, attempt: int, why: str) -> int:
        if attempt >= self.retries:
            raise SalesforceUnavailable(why)
        self.sleep(self.backoff_seconds * (2**attempt))
        return attempt + 1

    def _read_limit_info(self, response: requests.Response) -> None:
        info = response.headers.get("Sforce-Limit-Info", "")
        for part in info.split(","):
            name, _, value = part.strip().partition("=")
            if name == "api-usage" and "/" in value:
                used, _, allowed = value.partition("/")
                if used.isdigit() and allowed.isdigit():
                    self.api_usage = (int(used), int(allowed))

    def refresh(self) -> None:
        """New access token from the refresh token; a rotated refresh token is kept."""
        try:
            answer = oauth.refresh(
                self.app.login_url, self.app.client_id, self.app.client_secret, self.tokens.refresh_token
            )
        except OAuthRefused as exc:
            if exc.error == "invalid_grant":
                raise ReauthorizationNeeded(exc.description or exc.error) from None
            raise SalesforceUnavailable(f"token refresh refused: {exc.error}") from None
        self.tokens = replace(
            self.tokens,
            access_token=str(answer["access_token"]),
            refresh_token=str(answer.get("refresh_token") or self.tokens.refresh_token),
            instance_url=str(answer.get("instance_url") or self.tokens.instance_url),
        )
        self._session = self._new_session()
        self.on_tokens_changed(self.tokens)

    # ------------------------------------------------------------------ REST API
    def query(
        self, soql: str, *, include_deleted: bool = False, batch_size: int = MAX_BATCH_SIZE
    ) -> Iterator[dict[str, Any]]:
        """Pages of a SOQL query (``query`` or ``queryAll``), following ``nextRecordsUrl``."""
        headers = {"Sforce-Query-Options": f"batchSize={max(200, min(batch_size, MAX_BATCH_SIZE))}"}
        page = self.get("queryAll" if include_deleted else "query", params={"q": soql}, headers=headers)
        while True:
            yield page
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not next_url:
                return
            page = self.get(next_url, headers=headers)

    def records(self, soql: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        for page in self.query(soql, include_deleted=include_deleted):
            yield from page.get("records") or []

    def updated(self, sobject: str, start: str, end: str) -> dict[str, Any]:
        return dict(self.get(f"sobjects/{sobject}/updated/", params={"start": start, "end": end}))

    def deleted(self, sobject: str, start: str, end: str) -> dict[str, Any]:
        return dict(self.get(f"sobjects/{sobject}/deleted/", params={"start": start, "end": end}))

    def describe(self, sobject: str) -> dict[str, Any]:
        """``/sobjects/{Object}/describe``: the object's fields (name, type, filterable, ...)."""
        return dict(self.get(f"sobjects/{sobject}/describe"))


def _error_of(response: requests.Response) -> tuple[str, str]:
    """Salesforce REST errors are JSON arrays of ``{"errorCode", "message"}``."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP_{response.status_code}", response.text[:200]
    first = body[0] if isinstance(body, list) and body else body
    if isinstance(first, dict):
        return str(first.get("errorCode") or f"HTTP_{response.status_code}"), str(first.get("message") or "")
    return f"HTTP_{response.status_code}", ""
