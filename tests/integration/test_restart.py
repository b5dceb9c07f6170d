"""``make run`` killed with ``kill -9`` and started again: nothing it acknowledged is lost,
nothing is half-written, and work in progress carries on (the embedded AWS writes each
change to its state file before it answers)."""

from __future__ import annotations

import csv
import io
import threading
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from tests.integration.stack import LocalStack, start_stack
from tests.integration.test_bulk_import import BULK, HEADER, JOB, Api, _world

pytestmark = pytest.mark.integration


def _killed(stack: LocalStack) -> None:
    stack.process.kill()  # SIGKILL: no handler runs, nothing is flushed
    stack.process.wait(timeout=10)


def _leases_ran_out(state_dir: Path) -> None:
    """What 16 minutes after a crash would do: every lease the killed worker held has run
    out (the product resumes a crashed import once its lease expires). Done through the
    embedded AWS on the same state directory, which also shows another process loads it."""
    from moto.moto_api._internal.models import moto_api_backend

    from cslocal.aws_server import LocalAwsServer

    server = LocalAwsServer(0, state_dir).start()
    try:
        dynamodb = boto3.client(
            "dynamodb", endpoint_url=server.url, region_name="us-east-1",
            aws_access_key_id="local", aws_secret_access_key="local",
        )  # fmt: skip
        leased = [
            (table, item)
            for table in dynamodb.list_tables()["TableNames"]
            for item in dynamodb.scan(TableName=table, FilterExpression="attribute_exists(leaseUntil)")["Items"]
        ]
        assert leased, "the killed worker held no lease"
        for table, item in leased:
            dynamodb.update_item(
                TableName=table,
                Key={"PK": item["PK"], "SK": item["SK"]},
                UpdateExpression="SET leaseUntil = :past",
                ExpressionAttributeValues={":past": {"N": "0"}},
            )
    finally:
        server.stop()
        assert server.state is not None
        server.state.close()
        moto_api_backend.reset()  # this process's moto memory; the state file keeps it all


def _tenant(stack: LocalStack) -> dict[str, str]:
    """A tenant whose rate limits do not get in the way of polling and streams of creates."""
    tenant = stack.csadmin("tenant", "create", "--name", "Restart")
    for family, window in (("standard", "minute"), ("users", "hour"), ("users", "day")):
        stack.set_limit(tenant["tenantId"], family, window, 100_000)
    return tenant


def test_a_bulk_import_killed_midway_resumes_after_a_restart_with_every_row(tmp_path: Path) -> None:
    rows = 6_000
    first = start_stack(tmp_path)
    try:
        tenant = _tenant(first)
        api = Api(first, tenant)
        ids = _world(api)
        job = api.ok("POST", f"{BULK}/bulk", json=JOB)
        out = io.StringIO()
        people = ("ann@example.com", "bob@example.com")
        companies = ("Acme", "Globex")
        table = [[companies[i % 2], people[(i // 2) % 2], "false"] for i in range(rows)]
        csv.writer(out, lineterminator="\r\n").writerows([HEADER, *table])
        upload = api.ok("POST", f"{BULK}/bulkimport/upload-url", json={})
        assert requests.put(upload["uploadUrl"], data=out.getvalue().encode(), timeout=60).status_code == 200
        started = api.ok("POST", f"{BULK}/bulkimport", json={"jobId": job["jobId"], "uploadId": upload["uploadId"]})
        status_id = started["statusId"]

        def midway() -> dict[str, Any] | None:
            status = api.ok("GET", f"{BULK}/bulkimport/status/{status_id}")
            return status if status["status"] == "IN_PROGRESS" else None

        at_kill = first.wait_for("the import to be under way", midway, timeout=60)
        _killed(first)
    finally:
        first.stop()
    assert at_kill["status"] == "IN_PROGRESS", at_kill
    _leases_ran_out(tmp_path)

    second = start_stack(tmp_path)
    try:
        api = Api(second, tenant)
        status = api.wait(status_id, timeout=60)
        assert (status["status"], status["total"], status["processed"], status["failed"]) == (
            "COMPLETED",
            rows,
            rows,
            0,
        ), status
        assert status["inserted"] + status["unchanged"] == rows
        for name in companies:
            members = api.ok("GET", f"/v1/teams/companies/{ids[name]}/members")["members"]
            assert {m["UserEmail"] for m in members} == set(people)
    finally:
        assert second.stop() == 0


def _create(stack: LocalStack, key: str, email: str) -> requests.Response:
    record = {"FirstName": "Kill", "LastName": email.split("@")[0], "Email": email, "SFDCUserName": email}
    return requests.post(
        f"{stack.api}/v1/users/services",
        params={"notify": "false"},
        headers={"accesskey": key},
        json={"records": [record]},
        timeout=30,
    )


def _listed(stack: LocalStack, key: str) -> dict[str, list[str]]:
    """Email -> Gsids of the tenant's users (not the super admin), read through the API."""
    body = {"select": ["Email", "Gsid", "IsSuperAdmin"], "limit": 1000}
    response = requests.post(f"{stack.api}/v1/users/services/list", headers={"accesskey": key}, json=body, timeout=30)
    assert response.status_code == 200, response.text
    listed: dict[str, list[str]] = {}
    for user in response.json()["data"]["users"]:
        if not user.get("IsSuperAdmin"):
            listed.setdefault(user["Email"], []).append(user["Gsid"])
    return listed


def test_users_created_before_a_kill_exist_after_it_and_none_is_half_written(tmp_path: Path) -> None:
    first = start_stack(tmp_path)
    acknowledged: list[str] = []
    tried: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        tenant = _tenant(first)
        key = tenant["accessKey"]

        def create_users() -> None:
            while not stop.is_set():
                email = f"u{uuid.uuid4().hex[:10]}@kill.example.com"
                with lock:
                    tried.append(email)
                try:
                    response = _create(first, key, email)
                except requests.RequestException:
                    return  # the stack is gone
                if response.status_code // 100 == 2:
                    with lock:
                        acknowledged.append(email)

        threads = [threading.Thread(target=create_users) for _ in range(4)]
        for thread in threads:
            thread.start()
        first.wait_for("users to be created", lambda: len(acknowledged) >= 20, timeout=60)
        _killed(first)
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
    finally:
        stop.set()
        first.stop()

    second = start_stack(tmp_path)
    try:
        listed = _listed(second, key)
        assert set(acknowledged) <= set(listed), "a user whose create was acknowledged is lost"
        assert all(len(gsids) == 1 for gsids in listed.values())
        assert set(listed) <= set(tried) and len(listed) - len(acknowledged) <= 4  # at most the in-flight ones
        # Not half-written: each user is whole (its record and its unique claims agree), so
        # creating it again is refused; an e-mail that was never written can be created.
        for email in tried[-6:] + acknowledged[:3]:
            again = _create(second, key, email)
            if email in listed:
                assert again.status_code == 400, (email, again.text)
            else:
                assert again.status_code == 200, (email, again.text)
    finally:
        assert second.stop() == 0
