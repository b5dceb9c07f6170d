"""Session expiry, the daily API limit, Sforce-Limit-Info, injected faults and request stats."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from sforg import ConnectedApp
from tests.sforg.support import Client

QUERY = "/services/data/v60.0/query"
LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")


def _code(response: Any) -> str:
    return str(response.json()[0]["errorCode"])


def _usage(response: Any) -> tuple[int, int]:
    match = LIMIT_INFO.fullmatch(response.headers["Sforce-Limit-Info"])
    assert match, response.headers
    return int(match.group(1)), int(match.group(2))


def test_expired_session_then_refresh(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    body = client.connect(org, app)
    assert client.rest(body["access_token"], QUERY, q="SELECT Id FROM User").status_code == 200
    client.sandbox("POST", f"/orgs/{org['orgId']}/tokens/expire")
    response = client.rest(body["access_token"], QUERY, q="SELECT Id FROM User")
    assert response.status_code == 401
    assert response.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert "Sforce-Limit-Info" in response.headers
    statuses = {t["value"]: t["status"] for t in client.sandbox("GET", f"/orgs/{org['orgId']}/tokens")["tokens"]}
    assert statuses[body["access_token"]] == "EXPIRED" and statuses[body["refresh_token"]] == "ACTIVE"
    fresh = client.refresh(app, body["refresh_token"]).json()["access_token"]
    assert client.rest(fresh, QUERY, q="SELECT Id FROM User").status_code == 200


def test_access_token_times_out_after_two_hours(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    token = session["access_token"]
    client.advance(org, 2 * 3600 - 60)
    assert client.rest(token, "/services/data/v60.0/limits").status_code == 200
    client.advance(org, 120)
    assert client.rest(token, "/services/data/v60.0/limits").status_code == 401


def test_revoke_all_hook(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    body = client.connect(org, app)
    client.sandbox("POST", f"/orgs/{org['orgId']}/tokens/revoke")
    assert client.rest(body["access_token"], "/services/data/v60.0/limits").status_code == 401
    refreshed = client.refresh(app, body["refresh_token"])
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant"


def test_daily_limit_is_enforced_and_reported(client: Client, app: ConnectedApp) -> None:
    org = client.new_org(dailyApiLimit=3)
    token = client.connect(org, app)["access_token"]
    usages = [_usage(client.rest(token, "/services/data/v60.0/limits")) for _ in range(3)]
    assert usages == [(1, 3), (2, 3), (3, 3)]
    over = client.rest(token, QUERY, q="SELECT Id FROM Account")
    assert over.status_code == 403
    assert over.json() == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    assert _usage(over) == (3, 3)
    client.advance(org, 86400)
    token = client.connect(org, app)["access_token"]
    limits = client.rest(token, "/services/data/v60.0/limits")
    assert limits.json()["DailyApiRequests"] == {"Max": 3, "Remaining": 2}


def test_limit_info_on_every_rest_response(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    token = session["access_token"]
    paths = [
        ("GET", "/services/data/v60.0/"),
        ("GET", "/services/data/v60.0/limits"),
        ("GET", "/services/data/v60.0/sobjects"),
        ("GET", "/services/data/v60.0/sobjects/Contact/describe"),
        ("GET", QUERY + "?q=SELECT+Id+FROM+Account"),
        ("GET", QUERY + "?q=SELECT+Nope+FROM+Account"),
        ("GET", "/services/data/v60.0/sobjects/Nope/describe"),
        ("GET", "/services/data/v60.0/nothing-here"),
        ("POST", QUERY),
    ]
    seen = []
    for method, path in paths:
        response = client.http.request(method, client.url + path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (200, 400, 404, 405), (path, response.text)
        seen.append(_usage(response)[0])
    assert seen == list(range(seen[0], seen[0] + len(paths)))
    stats = client.sandbox("GET", f"/orgs/{org['orgId']}/stats")
    assert stats["apiCalls"] >= len(paths)
    assert all("?" not in r["path"] for r in stats["requests"])


def test_server_error_fault_with_path_filter(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    token = session["access_token"]
    client.sandbox(
        "POST", f"/orgs/{org['orgId']}/faults", {"kind": "server_error", "count": 2, "pathContains": "/query"}
    )
    first = client.rest(token, QUERY, q="SELECT Id FROM User")
    assert first.status_code == 503 and _code(first) == "SERVER_UNAVAILABLE" and "Sforce-Limit-Info" in first.headers
    assert client.rest(token, "/services/data/v60.0/limits").status_code == 200
    assert client.rest(token, QUERY, q="SELECT Id FROM User").status_code == 503
    assert client.rest(token, QUERY, q="SELECT Id FROM User").status_code == 200
    client.sandbox("POST", f"/orgs/{org['orgId']}/faults", {"kind": "server_error", "status": 500})
    assert client.rest(token, "/services/data/v60.0/limits").status_code == 500


def test_request_limit_fault(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    client.sandbox("POST", f"/orgs/{org['orgId']}/faults", {"kind": "request_limit", "count": 1})
    response = client.rest(session["access_token"], QUERY, q="SELECT Id FROM User")
    assert response.status_code == 403 and _code(response) == "REQUEST_LIMIT_EXCEEDED"
    assert client.rest(session["access_token"], QUERY, q="SELECT Id FROM User").status_code == 200


def test_invalid_session_fault(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    client.sandbox("POST", f"/orgs/{org['orgId']}/faults", {"kind": "invalid_session", "count": 1})
    response = client.rest(session["access_token"], "/services/data/v60.0/limits")
    assert response.status_code == 401 and _code(response) == "INVALID_SESSION_ID"
    assert client.rest(session["access_token"], "/services/data/v60.0/limits").status_code == 200


def test_invalid_grant_fault(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    body = client.connect(org, app)
    client.sandbox("POST", f"/orgs/{org['orgId']}/faults", {"kind": "invalid_grant", "count": 1})
    assert client.rest(body["access_token"], "/services/data/v60.0/limits").status_code == 200
    failed = client.refresh(app, body["refresh_token"])
    assert failed.status_code == 400
    assert failed.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    assert client.refresh(app, body["refresh_token"]).status_code == 200


def test_slow_fault_and_clearing_faults(client: Client, org: dict[str, Any], session: dict[str, Any]) -> None:
    token = session["access_token"]
    client.sandbox("POST", f"/orgs/{org['orgId']}/faults", {"kind": "slow", "count": 1, "delaySeconds": 0.6})
    started = time.monotonic()
    assert client.rest(token, "/services/data/v60.0/limits").status_code == 200
    assert time.monotonic() - started >= 0.6
    client.sandbox("POST", f"/orgs/{org['orgId']}/faults", {"kind": "server_error", "count": 5})
    client.sandbox("DELETE", f"/orgs/{org['orgId']}/faults")
    assert client.rest(token, "/services/data/v60.0/limits").status_code == 200


def test_bad_fault_kind(client: Client, org: dict[str, Any]) -> None:
    response = client.sandbox("POST", f"/orgs/{org['orgId']}/faults", {"kind": "meteor"}, ok=False)
    assert response.status_code == 400


def test_stats_count_calls_and_token_requests(client: Client, org: dict[str, Any], app: ConnectedApp) -> None:
    body = client.connect(org, app)
    client.refresh(app, body["refresh_token"])
    client.rest(body["access_token"], QUERY, q="SELECT Id FROM Account")
    stats = client.sandbox("GET", f"/orgs/{org['orgId']}/stats")
    assert stats["tokenRequests"] == 2 and stats["apiCalls"] == 1
    assert {"method": "GET", "path": QUERY, "status": 200} in stats["requests"]
    assert {"method": "POST", "path": "/services/oauth2/token", "status": 200} in stats["requests"]
    reset = client.sandbox("POST", f"/orgs/{org['orgId']}/stats/reset")
    assert reset["apiCalls"] == 0 and reset["tokenRequests"] == 0 and reset["requests"] == []


@pytest.mark.parametrize("path", ["/__sandbox/orgs/00D000000000000AAA/stats", "/__sandbox/orgs/nope/records/Account"])
def test_unknown_org_is_404(client: Client, path: str) -> None:
    response = client.http.get(client.url + path)
    assert response.status_code == 404 and _code(response) == "NOT_FOUND"
