"""Runs interrupted at any point converge (SPEC §3.3): an invocation may stop cleanly
after any number of slices (continuation message), or die at any call it makes to the
outside world — before a DynamoDB, SQS, Secrets Manager or Salesforce request is sent,
or after it was answered and before the product saw the answer — and its message comes
back once its lease has expired. Whatever the points, the platform ends up holding
exactly the org's data, once, with counts that add up: what an uninterrupted run holds.

In process: moto for AWS, the stand-in org over real HTTPS; the run is driven the way
the sync function is, by taking its messages off the run queue."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cscore.auth.principal import Principal
from cscore.connector import connected_app, connections, repository
from cscore.connector.models import CreateConnection
from cscore.platform import aws, clock, config, records
from cscore.sync import runs
from cscore.tenants import service as tenants
from sforg import ConnectedApp, OrgServer, start_org_server
from tests.integration.salesforce import Browser, query_of

CALLBACK = "https://api.example.com/v1/connectors/salesforce/oauth/callback"
APP = ConnectedApp("3MVG9resume", "resume-secret", [CALLBACK])


@pytest.fixture(scope="module")
def org_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrgServer]:
    server = start_org_server(Path(tmp_path_factory.mktemp("org")), port=0, connected_apps=[APP])
    yield server
    server.stop()


@pytest.fixture
def environment(
    aws_tables: dict[str, str], org_server: OrgServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[OrgServer]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(org_server.ca_pem_path))
    monkeypatch.setenv("SALESFORCE_LOGIN_HOST", org_server.url)
    monkeypatch.setenv("SYNC_PAGE_SIZE", "200")
    secret = {"clientId": APP.client_id, "clientSecret": APP.client_secret, "callbackUrl": CALLBACK}
    boto3.client("secretsmanager").put_secret_value(
        SecretId=config.salesforce_app_secret_id(), SecretString=json.dumps(secret)
    )
    connected_app.forget()
    yield org_server
    connected_app.forget()
    clock.set_clock(None)


def _authorized_tenant(server: OrgServer) -> tuple[str, dict[str, Any]]:
    ca = str(server.ca_pem_path)
    org = requests.post(
        f"{server.url}/__sandbox/orgs",
        json={
            "name": f"R{uuid.uuid4().hex[:6]}",
            "users": 6,
            "accounts": 450,
            "contactsPerAccount": 1,
            "teamMembersPerAccount": 0,
        },
        verify=ca,
        timeout=60,
    ).json()
    tenant = tenants.create_tenant(f"Resume {uuid.uuid4().hex[:6]}")
    principal = Principal(tenant["tenantId"], "Resume", tenant["superAdminGsid"], True, "ACCESS_KEY", "k")
    connection = connections.create_connection(principal, CreateConnection(name="P", orgType="production"))
    url = connections.authorize(principal, connection["connectionId"], CALLBACK)["authorizationUrl"]
    redirect = Browser(ca).authorize(url, org["username"], org["password"])
    connections.complete_authorization(query_of(redirect))
    return tenant["tenantId"], org


class Killed(BaseException):
    """Lambda ending an invocation: nothing in the product handles it (not an Exception)."""


class Boundary:
    """Every call the product makes to AWS (botocore's before/after-call events on its own
    clients) and to Salesforce (the HTTP session's send), numbered: the call numbered
    ``die_at`` kills the invocation, on its way out or on its way back."""

    def __init__(self) -> None:
        self.calls = 0
        self.die_at: int | None = None
        self.dead = False

    def tick(self) -> None:
        self.calls += 1
        if self.calls == self.die_at:
            self.dead = True
        if self.dead:  # and so is every thread the invocation still had running
            raise Killed(f"killed at outside call {self.die_at}")

    def kill(self) -> None:
        """Lambda ending the invocation between two calls (its time is up)."""
        self.die_at = self.calls + 1
        self.tick()

    def next_invocation(self, die_at: int | None) -> None:
        """Once the threads a dead invocation left behind have stopped calling out (they
        all die at their next call), a fresh invocation that dies at ``die_at``."""
        while self.dead:
            seen = self.calls
            time.sleep(0.2)
            self.dead = self.calls != seen
        self.calls, self.die_at = 0, die_at

    def aws_event(self, **_: Any) -> None:
        self.tick()

    def wrap_send(self, send: Callable[..., requests.Response]) -> Callable[..., requests.Response]:
        def sent(session: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
            self.tick()
            response = send(session, request, **kwargs)
            self.tick()
            return response

        return sent


@pytest.fixture
def boundary(monkeypatch: pytest.MonkeyPatch) -> Iterator[Boundary]:
    found = Boundary()
    monkeypatch.setattr(requests.Session, "send", found.wrap_send(requests.Session.send))
    clients = [aws.dynamodb(), aws.sqs(), aws.secretsmanager(), aws.kms()]
    for client in clients:
        for event in ("before-call", "after-call"):
            client.meta.events.register(event, found.aws_event, unique_id=f"resume-{event}")
    yield found
    for client in clients:
        for event in ("before-call", "after-call"):
            client.meta.events.unregister(event, unique_id=f"resume-{event}")


def _drive(boundary: Boundary, slices: list[int], deaths: list[int], crashes: list[bool]) -> int:
    """Deliver run-queue messages until the queue is empty. Invocation i may take
    ``slices[i]`` steps before its time is "nearly up", and then dies instead of going
    on if ``crashes[i]`` (right after a checkpoint); the i-th invocation dies at its
    ``deaths[i]``-th outside call (if it makes that many). The message of an invocation
    that died returns after its lease expires."""
    sqs = boto3.client("sqs")  # the test's own client: not one of the product's calls
    queue = config.sync_runs_queue_url()
    invocations = 0
    while True:
        got = sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=1, MessageSystemAttributeNames=["ApproximateReceiveCount"]
        ).get("Messages", [])
        if not got:
            boundary.next_invocation(None)
            return invocations
        message = json.loads(got[0]["Body"])
        budget = slices[invocations % len(slices)]
        # A message that keeps killing its invocation is dead-lettered after 3 receives
        # (the queue's redrive policy, and an alarm): deaths here are random, not systematic.
        received = int(got[0].get("Attributes", {}).get("ApproximateReceiveCount", "1"))
        boundary.next_invocation(deaths[invocations] if invocations < len(deaths) and received < 3 else None)
        crash = bool(crashes) and crashes[invocations % len(crashes)] and received < 3
        invocations += 1
        steps = {"n": 0}

        def remaining(budget: int = budget, crash: bool = crash, steps: dict[str, int] = steps) -> int:
            steps["n"] += 1
            if steps["n"] >= budget and crash:
                boundary.kill()
            return 1_000 if steps["n"] >= budget else 900_000

        try:
            runs.execute(message["tenantId"], message["runId"], remaining)
        except Killed:
            # The message was not deleted: it comes back after its visibility timeout, by
            # which time the run's lease has expired.
            _advance(runs.LEASE_SECONDS + 1)
            sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=got[0]["ReceiptHandle"], VisibilityTimeout=0)
            continue
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=got[0]["ReceiptHandle"])


_offset = {"s": 0.0}


def _advance(seconds: float) -> None:
    _offset["s"] += seconds
    clock.set_clock(lambda: time.time() + _offset["s"])


def _sf(server: OrgServer, org_id: str, obj: str) -> list[dict[str, Any]]:
    url = f"{server.url}/__sandbox/orgs/{org_id}/records/{obj}"
    return list(requests.get(url, verify=str(server.ca_pem_path), timeout=60).json()["records"])


SLICES = st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=6)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slices=SLICES, crashes=st.lists(st.booleans(), min_size=1, max_size=6))
def test_runs_interrupted_after_a_checkpoint_converge_to_the_source(
    environment: OrgServer, boundary: Boundary, slices: list[int], crashes: list[bool]
) -> None:
    _sync_and_check(environment, boundary, slices, [], crashes)


# Deaths between the calls of one page's writes: a record written without its index
# items (or the reverse) is the same record when the page is done again (its GSID comes
# from its key and the step), and its insert is counted with the checkpoint that passes it.
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(slices=[1, 1], deaths=[128, 141, 68])  # the first page's writes, cut between index items and records
@given(
    slices=SLICES,
    # The outside call at which each of the first invocations dies: any of them, from
    # the first lease write to the last page's write (larger numbers: it finishes).
    deaths=st.lists(st.integers(min_value=1, max_value=180), max_size=6),
)
def test_runs_interrupted_at_any_call_converge_to_the_source(
    environment: OrgServer, boundary: Boundary, slices: list[int], deaths: list[int]
) -> None:
    _sync_and_check(environment, boundary, slices, deaths, [])


def _sync_and_check(
    environment: OrgServer, boundary: Boundary, slices: list[int], deaths: list[int], crashes: list[bool]
) -> None:
    """Company Sync then Company Person Sync of a fresh org, driven through the
    interruptions; the platform then holds what an uninterrupted run would."""
    tenant_id, org = _authorized_tenant(environment)

    jobs = {j["jobType"]: j for j in repository.list_jobs(tenant_id)}
    finals = {}
    for job_type in ("COMPANY_SYNC", "COMPANY_PERSON_SYNC"):
        run = runs.start(tenant_id, jobs[job_type], "MANUAL", with_dependents=False)
        assert _drive(boundary, slices, deaths, crashes) >= 1
        finals[job_type] = repository.get_run(tenant_id, run["runId"]) or {}
    company_sync = finals["COMPANY_SYNC"]
    errors = repository.list_run_errors(tenant_id, company_sync["runId"])[:3]
    assert company_sync["status"] == "SUCCESS", (company_sync.get("counts"), errors)
    without_email = [c for c in _sf(environment, org["orgId"], "Contact") if not c.get("Email")]
    person_run = finals["COMPANY_PERSON_SYNC"]
    assert person_run["status"] == ("PARTIAL_SUCCESS" if without_email else "SUCCESS"), person_run
    assert person_run["counts"]["rejected"] == len(without_email)  # each reported once

    accounts = _sf(environment, org["orgId"], "Account")
    companies = records.all_of(tenant_id, "Company")
    assert sorted(c["SfdcAccountId"] for c in companies) == sorted(a["Id"] for a in accounts)  # each once
    assert {c["SfdcAccountId"]: c["Name"] for c in companies} == {a["Id"]: a["Name"] for a in accounts}
    assert records.count(tenant_id, "Company") == len(accounts)
    contacts = [c for c in _sf(environment, org["orgId"], "Contact") if c.get("Email")]
    links = records.all_of(tenant_id, "CompanyPerson")
    assert sorted(link["SfdcContactId"] for link in links) == sorted(c["Id"] for c in contacts)
    company_run = repository.list_runs(tenant_id, jobs["COMPANY_SYNC"]["jobId"], 1)[0]
    counts = company_run["counts"]
    assert counts["inserted"] == len(accounts) and counts["updated"] == 0 and counts["read"] == len(accounts)
