"""Bulk jobs and their imports listed, read and deleted, and custom connector jobs
deleted, over HTTP through the local stack (issue 17): each endpoint's main path, another
tenant's job answering 404, and the refusals (an import not ended, an out-of-the-box job,
a job others depend on, a run in progress)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.stack import LocalStack
from tests.integration.test_connector import Api
from tests.support import TEAM_CSV_HEADER, team_bulk_job

pytestmark = pytest.mark.integration

BULK = "/v1.0/admin/connector/job"
JOBS = "/v1/connectors/jobs"


def _import(api: Api, job_id: str) -> dict[str, Any]:
    """One file uploaded to the job, followed until its import ends."""
    data = (",".join(TEAM_CSV_HEADER) + "\r\nNowhere Ltd,nobody@example.com,false\r\n").encode()
    status_id = api.call(
        "POST", f"{BULK}/bulkimport", files={"file": ("t.csv", data, "text/csv")}, data={"jobId": job_id}
    )["statusId"]
    deadline = time.time() + 60
    while time.time() < deadline:
        status = api.call("GET", f"{BULK}/bulkimport/status/{status_id}")
        if status["status"] in ("COMPLETED", "FAILED"):
            return dict(status)
        time.sleep(0.2)
    raise AssertionError(f"import {status_id} did not end")


def test_bulk_jobs_and_their_imports(stack: LocalStack, tenant: dict[str, str]) -> None:
    api = Api(stack, tenant["accessKey"])
    intruder = Api(stack, stack.csadmin("tenant", "create", "--name", "Intruder")["accessKey"])
    jobs = [api.call("POST", f"{BULK}/bulk", json=team_bulk_job(name=f"Job {n}")) for n in range(3)]
    first = api.call("GET", f"{BULK}/bulk", params={"pageSize": 2})
    assert [j["jobId"] for j in first["jobs"]] == [j["jobId"] for j in jobs[:2]] and first["hasMore"] is True
    second = api.call("GET", f"{BULK}/bulk", params={"pageNumber": 2, "pageSize": 2})
    assert second["jobs"] == [jobs[2]] and second["hasMore"] is False
    api.call("GET", f"{BULK}/bulk", 400, "GS_1400", params={"pageSize": 101})
    job_id = jobs[0]["jobId"]
    assert api.call("GET", f"{BULK}/bulk/{job_id}") == jobs[0]

    ended = [_import(api, job_id) for _ in range(2)]
    assert all(s["status"] == "COMPLETED" and s["rejected"] == 1 for s in ended)
    listed = api.call("GET", f"{BULK}/bulkimport/status", params={"jobId": job_id})
    assert listed["imports"] == ended[::-1] and listed["hasMore"] is False
    page = api.call("GET", f"{BULK}/bulkimport/status", params={"jobId": job_id, "pageNumber": 2, "pageSize": 1})
    assert page["imports"] == ended[:1]
    assert api.call("GET", f"{BULK}/bulkimport/status", params={"jobId": jobs[1]["jobId"]})["imports"] == []
    api.call("GET", f"{BULK}/bulkimport/status", 400, "GS_1400")  # jobId is required

    # Another tenant's job does not exist there.
    intruder.call("GET", f"{BULK}/bulk/{job_id}", 404, "GS_1404")
    intruder.call("DELETE", f"{BULK}/bulk/{job_id}", 404, "GS_1404")
    intruder.call("GET", f"{BULK}/bulkimport/status", 404, "GS_1404", params={"jobId": job_id})
    assert intruder.call("GET", f"{BULK}/bulk")["jobs"] == []

    # An import that has not ended keeps its job (the worker reads the job at every step).
    running = _running_import(stack, tenant["tenantId"], job_id)
    refused = api.call("DELETE", f"{BULK}/bulk/{job_id}", 409, "GS_1409")
    assert running in refused["errorDesc"]
    _end_import(stack, tenant["tenantId"], running)
    assert api.call("DELETE", f"{BULK}/bulk/{job_id}") == {"jobId": job_id, "deleted": True}
    api.call("GET", f"{BULK}/bulk/{job_id}", 404, "GS_1404")
    api.call("DELETE", f"{BULK}/bulk/{job_id}", 404, "GS_1404")
    assert api.call("GET", f"{BULK}/bulkimport/status/{ended[0]['statusId']}") == ended[0]  # imports stay


def _running_import(stack: LocalStack, tenant_id: str, job_id: str) -> str:
    """An import the worker is applying, as its status item stands then."""
    status_id = "1C05" + uuid.uuid4().hex[:32].upper()
    stack.client("dynamodb").put_item(
        TableName=stack.info["tables"]["ConnectorTable"],
        Item={
            "PK": {"S": f"T#{tenant_id}#BULKIMPORT#{status_id}"},
            "SK": {"S": "STATUS"},
            "GSI1PK": {"S": f"T#{tenant_id}#BULKJOB#{job_id}#IMPORTS"},
            "GSI1SK": {"S": status_id},
            "statusId": {"S": status_id},
            "jobId": {"S": job_id},
            "status": {"S": "IN_PROGRESS"},
        },
    )
    return status_id


def _end_import(stack: LocalStack, tenant_id: str, status_id: str) -> None:
    stack.client("dynamodb").update_item(
        TableName=stack.info["tables"]["ConnectorTable"],
        Key={"PK": {"S": f"T#{tenant_id}#BULKIMPORT#{status_id}"}, "SK": {"S": "STATUS"}},
        UpdateExpression="SET #s = :done",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":done": {"S": "COMPLETED"}},
    )


def _schedule(stack: LocalStack, job_id: str) -> dict[str, Any] | None:
    try:
        return dict(
            stack.client("scheduler").get_schedule(
                Name=f"job-{job_id}", GroupName=stack.info["tables"]["JobScheduleGroup"]
            )
        )
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ResourceNotFoundException"
        return None


def _set_job(stack: LocalStack, tenant_id: str, job_id: str, expression: str, values: dict[str, Any]) -> None:
    stack.client("dynamodb").update_item(
        TableName=stack.info["tables"]["ConnectorTable"],
        Key={"PK": {"S": f"T#{tenant_id}#CONNECTOR"}, "SK": {"S": f"JOB#{job_id}"}},
        UpdateExpression=expression,
        **({"ExpressionAttributeValues": values} if values else {}),
    )


def test_custom_connector_jobs_are_deleted(stack: LocalStack, synced: dict[str, Any]) -> None:
    api, tenant_id = synced["api"], synced["tenant"]["tenantId"]
    intruder = Api(stack, stack.csadmin("tenant", "create", "--name", "Intruder")["accessKey"])
    user_sync = synced["jobs"]["USER_SYNC"]
    body = {
        "connectionId": user_sync["connectionId"],
        "name": "Contacts with e-mail",
        "sourceObject": "Contact",
        "targetObject": "Person",
        "keyFields": ["Email"],
        "mappings": [{"source": "Email", "target": "Email"}, {"source": "LastName", "target": "LastName"}],
        "schedule": {"frequency": "DAILY", "time": "03:00", "timezone": "UTC"},
    }
    parent = api.call("POST", JOBS, json=body)
    child = api.call(
        "POST", JOBS, json=body | {"name": "After contacts", "schedule": None, "dependsOn": parent["jobId"]}
    )
    assert _schedule(stack, parent["jobId"]) is not None

    # Out-of-the-box jobs can only be disabled.
    refused = api.call("DELETE", f"{JOBS}/{user_sync['jobId']}", 409, "GS_1409")
    assert "only disabled" in refused["errorDesc"]
    assert api.call("GET", f"{JOBS}/{user_sync['jobId']}")["jobId"] == user_sync["jobId"]
    # A job others depend on, and a job with a run in progress, stay.
    refused = api.call("DELETE", f"{JOBS}/{parent['jobId']}", 409, "GS_1409")
    assert "After contacts" in refused["errorDesc"]
    until = time.time() + 3600
    _set_job(stack, tenant_id, child["jobId"], "SET activeRunId = :r, activeRunUntil = :u",
             {":r": {"S": "1C03RUNNING"}, ":u": {"N": str(until)}})  # fmt: skip
    refused = api.call("DELETE", f"{JOBS}/{child['jobId']}", 409, "GS_1409")
    assert "1C03RUNNING" in refused["errorDesc"]
    _set_job(stack, tenant_id, child["jobId"], "REMOVE activeRunId, activeRunUntil", {})
    # Another tenant's job does not exist there.
    intruder.call("DELETE", f"{JOBS}/{child['jobId']}", 404, "GS_1404")

    assert api.call("DELETE", f"{JOBS}/{child['jobId']}") == {"jobId": child["jobId"], "deleted": True}
    assert api.call("DELETE", f"{JOBS}/{parent['jobId']}") == {"jobId": parent["jobId"], "deleted": True}
    assert _schedule(stack, parent["jobId"]) is None
    api.call("GET", f"{JOBS}/{parent['jobId']}", 404, "GS_1404")
    api.call("DELETE", f"{JOBS}/{parent['jobId']}", 404, "GS_1404")
    listed = {j["jobId"] for j in api.jobs(user_sync["connectionId"])}
    assert listed == {j["jobId"] for j in synced["jobs"].values()}
