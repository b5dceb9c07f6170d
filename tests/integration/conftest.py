"""Integration tests: the local stack started once per session, spoken to over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.reconcile import Platform
from tests.integration.salesforce import Browser, Sandbox
from tests.integration.stack import LocalStack, start_stack
from tests.integration.test_connector import Api, _connected


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    running = start_stack(Path(tmp_path_factory.mktemp("stack")), "--no-persist")
    yield running
    assert running.stop() == 0, "the stack must stop cleanly on SIGINT"


@pytest.fixture
def tenant(stack: LocalStack) -> dict[str, str]:
    """A fresh tenant per test, so counters and keys never leak between tests."""
    return stack.csadmin("tenant", "create", "--name", "Integration")


@pytest.fixture
def sandbox(stack: LocalStack) -> Sandbox:
    """The stand-in org's test hooks (new orgs, changes at the source, faults)."""
    return Sandbox(stack)


@pytest.fixture
def synced(stack: LocalStack, tenant: dict[str, str], sandbox: Sandbox) -> dict[str, Any]:
    """A tenant connected to a fresh small org, with its out-of-the-box jobs."""
    org = sandbox.new_org(
        f"Sync {uuid.uuid4().hex[:6]}", users=10, accounts=12, contactsPerAccount=2, teamMembersPerAccount=2
    )
    api = Api(stack, tenant["accessKey"])
    connection = _connected(api, Browser(stack.info["salesforce"]["caBundle"]), org)
    jobs = {j["jobType"]: j for j in api.jobs(connection["connectionId"])}
    return {"org": org, "api": api, "jobs": jobs, "tenant": tenant, "platform": Platform(stack, tenant["accessKey"])}
