"""Runs interrupted at random points converge (SPEC §3.3): whatever the slices a run is
cut into, and whether an invocation stops cleanly (continuation message) or dies after
a checkpoint (the message comes back once its lease has expired), the platform ends up
holding exactly the org's data, once, with counts that add up.

In process: moto for AWS, the stand-in org over real HTTPS; the run is driven the way
the sync function is, by taking its messages off the run queue."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscore.auth.principal import Principal
from cscore.connector import connected_app, connections, repository
from cscore.platform import clock, config, records
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
    connection = connections.create_connection(principal, {"name": "P", "orgType": "production"})
    url = connections.authorize(principal, connection["connectionId"], CALLBACK)["authorizationUrl"]
    redirect = Browser(ca).authorize(url, org["username"], org["password"])
    connections.complete_authorization(query_of(redirect))
    return tenant["tenantId"], org


def _drive(tenant_id: str, slices: list[int], crashes: list[bool]) -> int:
    """Deliver run-queue messages until the queue is empty. Invocation i may take
    ``slices[i]`` steps before its time is "nearly up"; if ``crashes[i]``, it dies
    instead of continuing (its message returns after its lease expires)."""
    sqs = boto3.client("sqs")
    queue = config.sync_runs_queue_url()
    invocations = 0
    while True:
        got = sqs.receive_message(
            QueueUrl=queue, MaxNumberOfMessages=1, MessageSystemAttributeNames=["ApproximateReceiveCount"]
        ).get("Messages", [])
        if not got:
            return invocations
        message = json.loads(got[0]["Body"])
        budget = slices[invocations % len(slices)]
        # A message that keeps killing its invocation is dead-lettered after 3 receives
        # (the queue's redrive policy, and an alarm): deaths here are random, not systematic.
        received = int(got[0].get("Attributes", {}).get("ApproximateReceiveCount", "1")) if got else 1
        crash = crashes[invocations % len(crashes)] and received < 3
        invocations += 1
        calls = {"n": 0}

        def remaining(budget: int = budget, crash: bool = crash, calls: dict[str, int] = calls) -> int:
            calls["n"] += 1
            if calls["n"] >= budget:
                if crash:
                    raise TimeoutError("the invocation was killed")
                return 1_000
            return 900_000

        try:
            runs.execute(message["tenantId"], message["runId"], remaining)
        except TimeoutError:
            # Lambda killed it: the message was not deleted, and comes back after its
            # visibility timeout, by which time the run's lease has expired.
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


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    slices=st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=6),
    crashes=st.lists(st.booleans(), min_size=1, max_size=6),
)
def test_interrupted_runs_converge_to_the_source(
    environment: OrgServer, slices: list[int], crashes: list[bool]
) -> None:
    tenant_id, org = _authorized_tenant(environment)

    jobs = {j["jobType"]: j for j in repository.list_jobs(tenant_id)}
    finals = {}
    for job_type in ("COMPANY_SYNC", "COMPANY_PERSON_SYNC"):
        run = runs.start(tenant_id, jobs[job_type], "MANUAL", with_dependents=False)
        assert _drive(tenant_id, slices, crashes) >= 1
        finals[job_type] = repository.get_run(tenant_id, run["runId"]) or {}
    assert finals["COMPANY_SYNC"]["status"] == "SUCCESS", finals["COMPANY_SYNC"]
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
