"""Integration tests: the local stack started once per session, spoken to over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.stack import LocalStack, start_stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    running = start_stack(Path(tmp_path_factory.mktemp("stack")), "--no-persist")
    yield running
    assert running.stop() == 0, "the stack must stop cleanly on SIGINT"


@pytest.fixture
def tenant(stack: LocalStack) -> dict[str, str]:
    """A fresh tenant per test, so counters and keys never leak between tests."""
    return stack.csadmin("tenant", "create", "--name", "Integration")
