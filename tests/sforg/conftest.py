"""One stand-in org server for the whole session (HTTPS on a free port, state in a temp dir)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sforg import ConnectedApp, OrgServer, start_org_server
from tests.sforg.support import Client


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes seconds (still part of the default run)")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrgServer]:
    srv = start_org_server(tmp_path_factory.mktemp("sforg"), port=0)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def client(server: OrgServer) -> Client:
    return Client(server)


@pytest.fixture
def org(client: Client) -> dict[str, Any]:
    """A fresh org per test, so clock moves and deletions never leak between tests."""
    return client.new_org()


@pytest.fixture(scope="session")
def app(client: Client) -> ConnectedApp:
    return client.new_app()


@pytest.fixture
def session(client: Client, org: dict[str, Any], app: ConnectedApp) -> dict[str, Any]:
    """A token response for the fresh org."""
    return client.connect(org, app)
