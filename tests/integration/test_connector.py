"""The Salesforce connection lifecycle over HTTP against the stand-in org over HTTPS
(SPEC §3.1, §3.2, §3.4): authorize like a browser, the callback's refusals, same-org
re-authorization, revoke, jobs and schedules, isolation, and no token ever leaking."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
import requests

from tests.integration.salesforce import Browser, Sandbox, query_of
from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
CONNECTIONS = "/v1/connectors/salesforce/connections"
OOB_JOBS = ("User Sync", "Company Sync", "Company Person Sync", "Company Team Sync")


class Api:
    """The platform's API as one tenant's super admin; keeps every answer it saw."""

    def __init__(self, stack: LocalStack, access_key: str) -> None:
        self.stack = stack
        self.key = access_key
        self.seen: list[str] = []

    def call(self, method: str, path: str, status: int = 200, code: str | None = None, **kwargs: Any) -> Any:
        response = requests.request(
            method, f"{self.stack.api}{path}", headers={"accesskey": self.key}, timeout=60, **kwargs
        )
        self.seen.append(response.text)
        assert response.status_code == status, response.text
        body = response.json()
        assert body["result"] is (code is None) and body["errorCode"] == code, body
        assert str(uuid.UUID(body["requestId"])) == response.headers["X-Request-Id"]
        return body["data"] if code is None else body

    def connection(self, connection_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"{CONNECTIONS}/{connection_id}"))

    def jobs(self, connection_id: str) -> list[dict[str, Any]]:
        return list(self.call("GET", "/v1/connectors/jobs", params={"connectionId": connection_id})["jobs"])


@pytest.fixture
def org(sandbox: Sandbox) -> dict[str, Any]:
    """A fresh org per test (with the platform's managed package), so tokens never mix."""
    return sandbox.new_org(f"Org {uuid.uuid4().hex[:6]}", managedPackage=True)


@pytest.fixture
def browser(stack: LocalStack) -> Browser:
    return Browser(stack.info["salesforce"]["caBundle"])


@pytest.fixture
def api(stack: LocalStack, tenant: dict[str, str]) -> Api:
    return Api(stack, tenant["accessKey"])


def _create(api: Api, name: str = "Prod") -> dict[str, Any]:
    return dict(api.call("POST", CONNECTIONS, json={"name": name, "orgType": "production"}))


def _authorize(api: Api, browser: Browser, connection_id: str, org: dict[str, Any], again: bool = False) -> str:
    """Start (re)authorization and log in; returns the callback URL, not yet opened."""
    action = "reauthorize" if again else "authorize"
    url = api.call("POST", f"{CONNECTIONS}/{connection_id}/{action}")["authorizationUrl"]
    return browser.authorize(url, org["username"], org["password"])


def _callback(browser: Browser, callback_url: str, status: int, says: str) -> str:
    page = browser.open(callback_url)
    assert page.status_code == status, page.text
    assert page.headers["Content-Type"].startswith("text/html") and says in page.text, page.text
    return page.text


def _connected(api: Api, browser: Browser, org: dict[str, Any]) -> dict[str, Any]:
    connection = _create(api)
    _callback(browser, _authorize(api, browser, connection["connectionId"], org), 200, "authorized")
    return api.connection(connection["connectionId"])


def test_authorize_like_a_browser_creates_the_chained_jobs_and_schedule(
    stack: LocalStack, api: Api, browser: Browser, org: dict[str, Any]
) -> None:
    connection = _create(api, "Acme Prod")
    assert connection["status"] == "CREATED" and connection["orgId"] is None and connection["linked"] is False
    assert connection["companyResolution"] == {"sourceField": "Id", "targetField": "SfdcAccountId"}
    assert connection["loginUrl"] == stack.info["salesforce"]["url"]
    cid = connection["connectionId"]

    started = api.call("POST", f"{CONNECTIONS}/{cid}/authorize")
    url = started["authorizationUrl"]
    params = query_of(url)
    assert url.startswith(f"{stack.info['salesforce']['url']}/services/oauth2/authorize?")
    assert params["response_type"] == "code" and params["client_id"].startswith("3MVG9")
    assert params["redirect_uri"] == f"{stack.api}/v1/connectors/salesforce/oauth/callback"
    assert params["scope"] == "api refresh_token id"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32
    assert api.connection(cid)["status"] == "CREATED"  # nothing changes before the callback

    callback_url = browser.authorize(url, org["username"], org["password"])
    assert query_of(callback_url)["state"] == params["state"] and query_of(callback_url)["code"]
    page = _callback(browser, callback_url, 200, "authorized")
    assert org["orgId"] in page

    now = api.connection(cid)
    assert now["status"] == "AUTHORIZED" and now["orgId"] == org["orgId"] and now["authorizedDate"]
    jobs = {j["name"]: j for j in api.jobs(cid)}
    assert set(jobs) == {f"{job}_Acme Prod" for job in OOB_JOBS}
    user, company = jobs["User Sync_Acme Prod"], jobs["Company Sync_Acme Prod"]
    person, team = jobs["Company Person Sync_Acme Prod"], jobs["Company Team Sync_Acme Prod"]
    assert user["dependsOn"] is None and company["dependsOn"] == user["jobId"]
    assert person["dependsOn"] == company["jobId"] and team["dependsOn"] == company["jobId"]
    assert user["schedule"] == {"frequency": "DAILY", "time": "02:00", "timezone": "UTC"}
    assert all(j["schedule"] is None and j["enabled"] for j in (company, person, team))
    assert user["filter"] == "UserType = 'Standard'" and user["keyFields"] == ["SFDCUserName"]
    manager = {"object": "User", "by": "SfdcUserId", "multiMatchOption": "MARKASERROR", "onNoMatch": "REJECT"}
    assert {"source": "ManagerId", "target": "Manager", "lookup": manager} in user["mappings"]
    assert (user["sourceObject"], company["sourceObject"], team["sourceObject"]) == (
        "User",
        "Account",
        "AccountTeamMember",
    )

    scheduler = stack.client("scheduler")
    group = stack.info["tables"]["JobScheduleGroup"]
    schedule = scheduler.get_schedule(Name=f"job-{user['jobId']}", GroupName=group)
    assert schedule["State"] == "ENABLED" and schedule["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert schedule["Target"]["Arn"].endswith(":function:cs-platform-local-sync-job")
    names = {s["Name"] for s in scheduler.list_schedules(GroupName=group)["Schedules"]}
    assert f"job-{company['jobId']}" not in names  # dependents start after their parent

    # Editing the schedule reaches EventBridge Scheduler.
    weekly = {"frequency": "WEEKLY", "time": "06:30", "timezone": "Asia/Tokyo", "dayOfWeek": "MON"}
    assert api.call("PUT", f"/v1/connectors/jobs/{user['jobId']}", json={"schedule": weekly})["schedule"] == weekly
    schedule = scheduler.get_schedule(Name=f"job-{user['jobId']}", GroupName=group)
    assert schedule["ScheduleExpression"] == "cron(30 6 ? * MON *)"
    assert schedule["ScheduleExpressionTimezone"] == "Asia/Tokyo"
    api.call("PUT", f"/v1/connectors/jobs/{user['jobId']}", 400, "GS_1400", json={"schedule": {"frequency": "HOURLY"}})
    api.call("PUT", f"/v1/connectors/jobs/{company['jobId']}", 400, "GS_1400", json={"schedule": weekly})

    run = api.call("POST", f"/v1/connectors/jobs/{user['jobId']}/run", 202, json={"withDependents": True})
    assert run["runId"].startswith("1C03")
    assert api.call("GET", f"/v1/connectors/jobs/{user['jobId']}")["lastRun"]["status"] == "QUEUED"


def test_callback_refusals_change_nothing(
    stack: LocalStack, api: Api, browser: Browser, org: dict[str, Any], sandbox: Sandbox
) -> None:
    connection = _create(api)
    cid = connection["connectionId"]

    # Deny at Salesforce.
    url = api.call("POST", f"{CONNECTIONS}/{cid}/authorize")["authorizationUrl"]
    denied = browser.authorize(url, org["username"], org["password"], decision="deny")
    assert query_of(denied)["error"] == "access_denied"
    _callback(browser, denied, 400, "GS_SF_1001")

    # A forged state, and a state that has expired.
    _callback(browser, f"{stack.api}/v1/connectors/salesforce/oauth/callback?code=abc&state=forged", 400, "GS_SF_1001")
    url = api.call("POST", f"{CONNECTIONS}/{cid}/authorize")["authorizationUrl"]
    callback_url = browser.authorize(url, org["username"], org["password"])
    _age_state(stack, query_of(url)["state"], expires_at=1.0)
    _callback(browser, callback_url, 400, "expired")

    # A wrong PKCE verifier: Salesforce refuses the code.
    url = api.call("POST", f"{CONNECTIONS}/{cid}/authorize")["authorizationUrl"]
    callback_url = browser.authorize(url, org["username"], org["password"])
    _age_state(stack, query_of(url)["state"], verifier="x" * 64)
    _callback(browser, callback_url, 400, "invalid code verifier")

    assert api.connection(cid) == connection
    assert api.jobs(cid) == []
    assert all(t["status"] != "ACTIVE" for t in sandbox.tokens(org["orgId"]) if t["kind"] == "refresh")

    # The real thing works, once: replaying the callback is refused and changes nothing.
    callback_url = _authorize(api, browser, cid, org)
    _callback(browser, callback_url, 200, "authorized")
    authorized = api.connection(cid)
    _callback(browser, callback_url, 400, "already used")
    assert api.connection(cid) == authorized


def _age_state(stack: LocalStack, state: str, *, expires_at: float | None = None, verifier: str | None = None) -> None:
    """Stand in for the passage of time (or a tampered store) on a pending authorization."""
    table = stack.info["tables"]["ConnectorTable"]
    key = {"PK": {"S": f"OAUTHSTATE#{hashlib.sha256(state.encode()).hexdigest()}"}, "SK": {"S": "STATE"}}
    sets, values = [], {}
    if expires_at is not None:
        sets.append("expiresAt = :e")
        values[":e"] = {"N": str(expires_at)}
    if verifier is not None:
        sets.append("codeVerifier = :v")
        values[":v"] = {"S": verifier}
    stack.client("dynamodb").update_item(
        TableName=table, Key=key, UpdateExpression="SET " + ", ".join(sets), ExpressionAttributeValues=values
    )


def test_same_org_only_also_after_revoke(
    stack: LocalStack, api: Api, browser: Browser, org: dict[str, Any], sandbox: Sandbox
) -> None:
    other = sandbox.new_org(f"Other {uuid.uuid4().hex[:6]}")
    connection = _connected(api, browser, org)
    cid = connection["connectionId"]
    jobs_before = api.jobs(cid)

    # Another org's user: refused, nothing changes, and the grant it produced is not kept.
    page = _callback(browser, _authorize(api, browser, cid, other, again=True), 409, "GS_SF_1002")
    assert other["orgId"] in page
    assert api.connection(cid) == connection and api.jobs(cid) == jobs_before
    assert [t["status"] for t in sandbox.tokens(other["orgId"]) if t["kind"] == "refresh"] == ["REVOKED"]

    # Disable one job, then revoke: Salesforce reports the token revoked, every job is disabled.
    team = next(j for j in jobs_before if j["name"].startswith("Company Team Sync"))
    api.call("PUT", f"/v1/connectors/jobs/{team['jobId']}", json={"enabled": False})
    revoked = api.call("POST", f"{CONNECTIONS}/{cid}/revoke")
    assert revoked["status"] == "REVOKED" and revoked["salesforceRevocation"] == "REVOKED"
    assert {t["status"] for t in sandbox.tokens(org["orgId"])} == {"REVOKED"}
    assert not any(j["enabled"] for j in api.jobs(cid))
    user = next(j for j in jobs_before if j["dependsOn"] is None)
    group = stack.info["tables"]["JobScheduleGroup"]
    assert stack.client("scheduler").get_schedule(Name=f"job-{user['jobId']}", GroupName=group)["State"] == "DISABLED"
    api.call("POST", f"/v1/connectors/jobs/{user['jobId']}/run", 409, "GS_SF_1004")
    api.call("PUT", f"/v1/connectors/jobs/{user['jobId']}", 409, "GS_SF_1004", json={"enabled": True})
    api.call("POST", f"{CONNECTIONS}/{cid}/revoke", 409, "GS_SF_1004")
    api.call("POST", f"{CONNECTIONS}/{cid}/link-tenant", 409, "GS_SF_1004")

    # After the revoke, still the same org only.
    _callback(browser, _authorize(api, browser, cid, other, again=True), 409, "GS_SF_1002")
    assert api.connection(cid)["status"] == "REVOKED"

    # The same org: authorized again, each job back to its state before the revoke.
    _callback(browser, _authorize(api, browser, cid, org, again=True), 200, "authorized")
    assert api.connection(cid)["status"] == "AUTHORIZED"
    assert {j["jobId"]: j["enabled"] for j in api.jobs(cid)} == {
        j["jobId"]: j["jobId"] != team["jobId"] for j in jobs_before
    }
    assert stack.client("scheduler").get_schedule(Name=f"job-{user['jobId']}", GroupName=group)["State"] == "ENABLED"
    api.call("POST", f"/v1/connectors/jobs/{user['jobId']}/run", 202)


def test_link_tenant_needs_the_managed_package(
    api: Api, browser: Browser, org: dict[str, Any], sandbox: Sandbox, stack: LocalStack, tenant: dict[str, str]
) -> None:
    cid = _connected(api, browser, org)["connectionId"]
    assert api.call("POST", f"{CONNECTIONS}/{cid}/link-tenant")["linked"] is True

    bare = sandbox.new_org(f"Bare {uuid.uuid4().hex[:6]}", managedPackage=False)
    other_tenant = stack.csadmin("tenant", "create", "--name", "No package")
    other = Api(stack, other_tenant["accessKey"])
    other_cid = _connected(other, browser, bare)["connectionId"]
    refused = other.call("POST", f"{CONNECTIONS}/{other_cid}/link-tenant", 409, "GS_SF_1003")
    assert "managed package" in refused["errorDesc"]
    assert other.connection(other_cid)["linked"] is False


def test_expired_access_token_is_refreshed_and_a_refused_refresh_needs_reauthorization(
    api: Api, browser: Browser, org: dict[str, Any], sandbox: Sandbox
) -> None:
    cid = _connected(api, browser, org)["connectionId"]
    sandbox.call("POST", f"/orgs/{org['orgId']}/tokens/expire")
    assert api.call("POST", f"{CONNECTIONS}/{cid}/link-tenant")["linked"] is True  # 401, refresh, retry
    assert api.connection(cid)["status"] == "AUTHORIZED"

    sandbox.call("POST", f"/orgs/{org['orgId']}/tokens/revoke")  # e.g. the admin's password changed
    api.call("POST", f"{CONNECTIONS}/{cid}/link-tenant", 409, "GS_SF_1004")
    assert api.connection(cid)["status"] == "NEEDS_REAUTHORIZATION"
    jobs = api.jobs(cid)
    assert jobs and not any(j["enabled"] for j in jobs)
    api.call("POST", f"/v1/connectors/jobs/{jobs[0]['jobId']}/run", 409, "GS_SF_1004")

    _callback(browser, _authorize(api, browser, cid, org, again=True), 200, "authorized")
    assert api.connection(cid)["status"] == "AUTHORIZED"
    assert all(j["enabled"] for j in api.jobs(cid))


def test_company_resolution_and_connection_rules(api: Api, browser: Browser, org: dict[str, Any]) -> None:
    cid = _create(api)["connectionId"]
    api.call("POST", CONNECTIONS, 409, "GS_1409", json={"name": "Second", "orgType": "sandbox"})
    assert [c["connectionId"] for c in api.call("GET", CONNECTIONS)["connections"]] == [cid]
    api.call("POST", f"{CONNECTIONS}/{cid}/reauthorize", 409, "GS_1409")  # never authorized yet
    _callback(browser, _authorize(api, browser, cid, org), 200, "authorized")
    api.call("POST", f"{CONNECTIONS}/{cid}/authorize", 409, "GS_1409")  # bound: re-authorize instead

    path = f"{CONNECTIONS}/{cid}/company-resolution"
    changed = api.call("PUT", path, json={"sourceField": "Name", "targetField": "Name"})
    assert changed["companyResolution"] == {"sourceField": "Name", "targetField": "Name"}
    company = next(j for j in api.jobs(cid) if j["name"].startswith("Company Sync"))
    assert company["keyFields"] == ["Name"] and {"source": "Name", "target": "Name"} in company["mappings"]
    bad = api.call("PUT", path, 400, "GS_1400", json={"sourceField": "Id", "targetField": "Industry"})
    assert "targetField" in bad["errorDesc"]
    api.call("PUT", path, 400, "GS_1400", json={"sourceField": "Id; DROP", "targetField": "Name"})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"orgType": "production"}, "name"),
        ({"name": "X", "orgType": "staging"}, "orgType"),
        ({"name": "X", "orgType": "production", "loginUrl": "http://acme.my.salesforce.com"}, "loginUrl"),
        ({"name": "X", "orgType": "production", "loginUrl": "https://evil.example.com"}, "loginUrl"),
        ({"name": "X", "orgType": "production", "clientSecret": "x"}, "clientSecret"),
    ],
)
def test_bad_connection_input_is_refused_by_field(api: Api, body: dict[str, Any], field: str) -> None:
    refused = api.call("POST", CONNECTIONS, 400, "GS_1400", json=body)
    assert refused["errorDesc"].startswith(field)
    assert api.call("GET", CONNECTIONS)["connections"] == []


def test_another_tenant_sees_and_touches_nothing(
    stack: LocalStack, api: Api, browser: Browser, org: dict[str, Any]
) -> None:
    cid = _connected(api, browser, org)["connectionId"]
    job_id = api.jobs(cid)[0]["jobId"]
    intruder = Api(stack, stack.csadmin("tenant", "create", "--name", "Intruder")["accessKey"])
    assert intruder.call("GET", CONNECTIONS)["connections"] == []
    for method, path, body in [
        ("GET", f"{CONNECTIONS}/{cid}", None),
        ("POST", f"{CONNECTIONS}/{cid}/authorize", None),
        ("POST", f"{CONNECTIONS}/{cid}/reauthorize", None),
        ("POST", f"{CONNECTIONS}/{cid}/revoke", None),
        ("POST", f"{CONNECTIONS}/{cid}/link-tenant", None),
        ("PUT", f"{CONNECTIONS}/{cid}/company-resolution", {"sourceField": "Id", "targetField": "Name"}),
        ("GET", f"/v1/connectors/jobs/{job_id}", None),
        ("PUT", f"/v1/connectors/jobs/{job_id}", {"enabled": False}),
        ("POST", f"/v1/connectors/jobs/{job_id}/run", None),
    ]:
        intruder.call(method, path, 404, "GS_1404", json=body)
    assert intruder.call("GET", "/v1/connectors/jobs")["jobs"] == []
    intruder.call("GET", "/v1/connectors/jobs", 404, "GS_1404", params={"connectionId": cid})
    assert api.connection(cid)["status"] == "AUTHORIZED" and all(j["enabled"] for j in api.jobs(cid))


def test_no_token_value_is_logged_returned_or_stored_in_clear(
    stack: LocalStack, api: Api, browser: Browser, org: dict[str, Any], sandbox: Sandbox
) -> None:
    cid = _connected(api, browser, org)["connectionId"]
    sandbox.call("POST", f"/orgs/{org['orgId']}/tokens/expire")
    api.call("POST", f"{CONNECTIONS}/{cid}/link-tenant")  # refreshes: a second access token
    api.call("GET", f"{CONNECTIONS}/{cid}")
    api.call("GET", "/v1/connectors/jobs", params={"connectionId": cid})
    api.call("POST", f"{CONNECTIONS}/{cid}/revoke")
    tokens = [t["value"] for t in sandbox.tokens(org["orgId"])]
    assert len(tokens) >= 3  # refresh + two access tokens

    dynamodb = stack.client("dynamodb")
    stored = []
    for table in stack.info["tables"].values():
        try:
            pages = dynamodb.get_paginator("scan").paginate(TableName=table)
            stored += [str(item) for page in pages for item in page["Items"]]
        except dynamodb.exceptions.ResourceNotFoundException:
            continue  # not a table (queues, keys, ...)
    haystacks = {"logs": stack.output(), "API answers": "\n".join(api.seen), "DynamoDB": "\n".join(stored)}
    for token in tokens:
        for where, text in haystacks.items():
            assert token not in text, f"a token value appears in {where}"
            assert token.split("!", 1)[-1] not in text, f"a token's secret part appears in {where}"
