"""``make run``'s promises: data survives a restart, Ctrl-C stops cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.integration.stack import start_stack

pytestmark = pytest.mark.integration


def test_data_survives_a_restart(tmp_path: Path) -> None:
    first = start_stack(tmp_path)
    try:
        created = first.csadmin("tenant", "create", "--name", "Durable")
        assert (
            requests.get(f"{first.api}/v1/tenant", headers={"accesskey": created["accessKey"]}, timeout=10).status_code
            == 200
        )
    finally:
        assert first.stop() == 0

    second = start_stack(tmp_path)
    try:
        assert second.info["tenantId"] == first.info["tenantId"]  # the demo tenant is reused
        response = requests.get(f"{second.api}/v1/tenant", headers={"accesskey": created["accessKey"]}, timeout=10)
        assert response.status_code == 200
        assert response.json()["data"]["rateLimits"]["standard"]["day"]["used"] == 2  # counters survived too
    finally:
        assert second.stop() == 0
