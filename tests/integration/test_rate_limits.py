"""Fixed-window rate limits over HTTP (SPEC §1.3): the limit, its headers, isolation
between tenants, and exactly the limit admitted under concurrency."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration


def _wait_for_room_in_the_minute(needed_seconds: float) -> None:
    """Start a minute-window test early enough in the minute that it cannot straddle two."""
    into = time.time() % 60
    if into > 60 - needed_seconds:
        time.sleep(60 - into + 0.05)


def test_the_sixth_call_in_the_minute_is_429(stack: LocalStack, tenant: dict[str, str]) -> None:
    stack.set_limit(tenant["tenantId"], "standard", "minute", 5)
    other = stack.csadmin("tenant", "create", "--name", "Bystander")
    headers = {"accesskey": tenant["accessKey"]}
    _wait_for_room_in_the_minute(15)
    admitted = [requests.get(f"{stack.api}/v1/tenant", headers=headers, timeout=10) for _ in range(5)]
    assert [r.status_code for r in admitted] == [200] * 5
    assert [r.headers["X-RateLimit-Remaining"] for r in admitted] == ["4", "3", "2", "1", "0"]

    refused = requests.get(f"{stack.api}/v1/tenant", headers=headers, timeout=10)
    assert refused.status_code == 429
    body = refused.json()
    assert (body["result"], body["errorCode"], body["errorDesc"]) == (False, "GU_2400", "Too many requests")
    reset = int(refused.headers["X-RateLimit-Reset"])
    assert reset % 60 == 0  # the end of a UTC-aligned minute
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert abs(reset - time.time() - int(refused.headers["Retry-After"])) <= 2
    assert refused.headers["X-RateLimit-Limit"] == "5" and refused.headers["X-RateLimit-Remaining"] == "0"

    bystander = requests.get(f"{stack.api}/v1/tenant", headers={"accesskey": other["accessKey"]}, timeout=10)
    assert bystander.status_code == 200  # another tenant is unaffected
    assert bystander.headers["X-RateLimit-Remaining"] == "99"


def test_sixteen_concurrent_clients_get_exactly_the_limit(stack: LocalStack, tenant: dict[str, str]) -> None:
    # The day window (limit 50) so the test cannot straddle a minute boundary.
    stack.set_limit(tenant["tenantId"], "standard", "day", 50)
    headers = {"accesskey": tenant["accessKey"]}

    def five_calls(_: int) -> list[int]:
        with requests.Session() as session:
            return [session.get(f"{stack.api}/v1/tenant", headers=headers, timeout=30).status_code for _ in range(5)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = [s for batch in pool.map(five_calls, range(16)) for s in batch]
    assert statuses.count(200) == 50
    assert statuses.count(429) == 30

    usage = requests.get(f"{stack.api}/v1/tenant", headers={"accesskey": stack.info["accessKey"]}, timeout=10)
    assert usage.status_code == 200  # the demo tenant was not touched by any of it


def test_usage_reports_what_was_counted(stack: LocalStack, tenant: dict[str, str]) -> None:
    headers = {"accesskey": tenant["accessKey"]}
    _wait_for_room_in_the_minute(10)
    for _ in range(3):
        requests.get(f"{stack.api}/v1/tenant", headers=headers, timeout=10)
    usage = requests.get(f"{stack.api}/v1/tenant", headers=headers, timeout=10).json()["data"]["rateLimits"]
    assert usage["standard"]["minute"]["used"] == 4
    assert usage["standard"]["day"]["used"] == 4
    assert usage["users"]["hour"]["used"] == 0
    assert usage["bulk"]["day"] == {"limit": 100, "used": 0, "remaining": 100, "reset": usage["bulk"]["day"]["reset"]}
