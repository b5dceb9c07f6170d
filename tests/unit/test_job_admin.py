"""Bulk jobs and their imports listed, read and deleted; custom connector jobs deleted
(issue 17): paging, newest-first imports read from the job's own index partition,
tenant isolation, and the refusals (a running import or run, an out-of-the-box job, a
job others depend on)."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.bulkload import definitions, imports, storage, worker
from cscore.bulkload.models import CreateBulkJob
from cscore.connector import job_definitions, jobs, schedules
from cscore.connector import repository as connector_repository
from cscore.errors import ApiError, Conflict, NotFound
from cscore.platform import aws, clock, config, ids, request_model
from cscore.tenants import service as tenants
from tests.support import team_bulk_job

FOREVER = lambda: 10**9  # noqa: E731 - an invocation with all the time in the world
DAILY = {"frequency": "DAILY", "time": "02:00", "timezone": "UTC"}


def _admin() -> Principal:
    return auth.authenticate({"accesskey": tenants.create_tenant(f"Admin {uuid.uuid4().hex[:6]}")["accessKey"]})


def _bulk_job(admin: Principal, name: str = "Team members") -> dict[str, Any]:
    return definitions.create_job(admin, request_model.checked(CreateBulkJob, team_bulk_job(name=name)))


def _failure(call: Any) -> ApiError:
    with pytest.raises(ApiError) as error:
        call()
    return error.value


def _upload(admin: Principal, job_id: str) -> str:
    """An import in INIT (accepted, not yet worked on)."""
    boundary = "b" + uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="jobId"\r\n\r\n{job_id}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="t.csv"\r\n\r\n'
        "Company Name,Email ID,Deleted\r\nNowhere,nobody@example.com,false\r\n"
        f"\r\n--{boundary}--\r\n"
    ).encode()
    event = {
        "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }
    return str(imports.start(admin, event)["statusId"])


def _run(admin: Principal, status_id: str) -> None:
    key = storage.import_key(admin.tenant_id, status_id)
    assert worker.on_s3_object(config.bulk_bucket_name(), key, FOREVER) == "done"


# ---------------------------------------------------------------- bulk jobs


def test_bulk_jobs_are_listed_a_page_at_a_time_in_the_order_defined(aws_tables) -> None:
    admin, other = _admin(), _admin()
    made = [_bulk_job(admin, f"Job {n}")["jobId"] for n in range(5)]
    _bulk_job(other)
    first = definitions.list_jobs(admin, 1, 2)
    assert [j["jobId"] for j in first["jobs"]] == made[:2] and first["hasMore"] is True
    last = definitions.list_jobs(admin, 3, 2)
    assert [j["jobId"] for j in last["jobs"]] == made[4:] and last["hasMore"] is False
    assert definitions.list_jobs(admin, 4, 2) == {"jobs": [], "pageNumber": 4, "pageSize": 2, "hasMore": False}
    assert definitions.get_job(admin, made[0]) == definitions.list_jobs(admin, 1, 1)["jobs"][0]


def test_another_tenants_bulk_job_does_not_exist_here(aws_tables) -> None:
    admin, other = _admin(), _admin()
    job_id = _bulk_job(other)["jobId"]
    for call in (
        lambda: definitions.get_job(admin, job_id),
        lambda: definitions.delete_job(admin, job_id),
        lambda: imports.list_for_job(admin, job_id, 1, 10),
    ):
        error = _failure(call)
        assert isinstance(error, NotFound) and job_id in error.desc
    assert definitions.get_job(other, job_id)["jobId"] == job_id


def test_a_jobs_imports_come_newest_first_from_its_own_partition(aws_tables, monkeypatch) -> None:
    admin = _admin()
    job, other_job = _bulk_job(admin), _bulk_job(admin, "Other")
    made = []
    for _ in range(3):
        made.append(_upload(admin, job["jobId"]))
        _run(admin, made[-1])
    _upload(admin, other_job["jobId"])
    queries: list[dict[str, Any]] = []
    real_query = aws.dynamodb().query

    def recorded(**kwargs: Any) -> Any:
        queries.append(kwargs)
        return real_query(**kwargs)

    monkeypatch.setattr(aws.dynamodb(), "query", recorded)
    page = imports.list_for_job(admin, job["jobId"], 1, 2)
    assert [i["statusId"] for i in page["imports"]] == made[::-1][:2] and page["hasMore"] is True
    assert page["imports"][0] == imports.status(admin, made[-1]) and page["imports"][0]["status"] == "COMPLETED"
    assert [i["statusId"] for i in imports.list_for_job(admin, job["jobId"], 2, 2)["imports"]] == made[:1]
    # A key condition on the job's partition, no filter: nothing of other jobs is read.
    assert queries and all(
        q["IndexName"] == "GSI1" and "FilterExpression" not in q and job["jobId"] in str(q) for q in queries
    )


def test_a_bulk_job_with_an_import_not_ended_is_not_deleted(aws_tables) -> None:
    admin = _admin()
    job = _bulk_job(admin)
    status_id = _upload(admin, job["jobId"])
    error = _failure(lambda: definitions.delete_job(admin, job["jobId"]))
    assert isinstance(error, Conflict) and status_id in error.desc
    assert definitions.get_job(admin, job["jobId"])["jobId"] == job["jobId"]
    _run(admin, status_id)
    assert definitions.delete_job(admin, job["jobId"]) == {"jobId": job["jobId"], "deleted": True}
    assert isinstance(_failure(lambda: definitions.get_job(admin, job["jobId"])), NotFound)
    assert imports.status(admin, status_id)["status"] == "COMPLETED"  # its imports stay readable
    assert isinstance(_failure(lambda: definitions.delete_job(admin, job["jobId"])), NotFound)


# ---------------------------------------------------------------- connector jobs


def _connection(admin: Principal) -> str:
    connection_id = ids.new_gsid(ids.CONNECTION)
    connector_repository.put_connection(
        admin.tenant_id, {"connectionId": connection_id, "name": "Prod", "status": "AUTHORIZED"}
    )
    return connection_id


def _job(admin: Principal, connection_id: str, job_type: str, **fields: Any) -> dict[str, Any]:
    job = {
        "jobId": ids.new_gsid(ids.JOB),
        "connectionId": connection_id,
        "jobType": job_type,
        "name": f"{job_type} {uuid.uuid4().hex[:4]}",
        "sourceObject": "Contact",
        "targetObject": "Person",
        "filter": None,
        "mappings": [{"source": "Email", "target": "Email"}],
        "keyFields": ["Email"],
        "enabled": True,
        "schedule": DAILY,
        "dependsOn": None,
        "lastRun": None,
        **fields,
    }
    connector_repository.put_job(admin.tenant_id, job)
    schedules.apply(admin.tenant_id, job, active=True)
    return job


def test_a_custom_job_goes_with_its_schedule_and_retry_rows_and_its_runs_stay(aws_tables) -> None:
    admin = _admin()
    job = _job(admin, _connection(admin), job_definitions.CUSTOM)
    connector_repository.write_pending(admin.tenant_id, job["jobId"], [{"sourceId": "003A", "reason": "r"}], [])
    run = {"runId": ids.new_gsid(ids.RUN), "jobId": job["jobId"], "queuedAt": clock.iso(), "status": "SUCCESS"}
    connector_repository.put_run(admin.tenant_id, run)
    assert schedules.describe(job["jobId"]) is not None
    assert jobs.delete_job(admin, job["jobId"]) == {"jobId": job["jobId"], "deleted": True}
    assert schedules.describe(job["jobId"]) is None
    assert connector_repository.get_job(admin.tenant_id, job["jobId"]) is None
    assert connector_repository.list_pending(admin.tenant_id, job["jobId"]) == []
    assert connector_repository.get_run(admin.tenant_id, run["runId"]) is not None
    assert isinstance(_failure(lambda: jobs.delete_job(admin, job["jobId"])), NotFound)


def test_out_of_the_box_jobs_can_only_be_disabled(aws_tables) -> None:
    admin = _admin()
    job = _job(admin, _connection(admin), job_definitions.USER_SYNC)
    error = _failure(lambda: jobs.delete_job(admin, job["jobId"]))
    assert isinstance(error, Conflict) and error.code == "GS_1409" and "only disabled" in error.desc
    assert connector_repository.get_job(admin.tenant_id, job["jobId"]) is not None
    assert schedules.describe(job["jobId"]) is not None


def test_a_running_or_depended_on_custom_job_is_kept(aws_tables) -> None:
    admin = _admin()
    connection_id = _connection(admin)
    parent = _job(admin, connection_id, job_definitions.CUSTOM)
    child = _job(admin, connection_id, job_definitions.CUSTOM, dependsOn=parent["jobId"], schedule=None)
    error = _failure(lambda: jobs.delete_job(admin, parent["jobId"]))
    assert isinstance(error, Conflict) and child["name"] in error.desc
    assert connector_repository.lock_job(admin.tenant_id, child["jobId"], "RUN1", clock.now(), 3600)
    error = _failure(lambda: jobs.delete_job(admin, child["jobId"]))
    assert isinstance(error, Conflict) and "RUN1" in error.desc
    assert connector_repository.get_job(admin.tenant_id, child["jobId"]) is not None
    assert schedules.describe(parent["jobId"]) is not None


def test_a_run_that_starts_during_the_delete_keeps_the_job_and_its_schedule(aws_tables, monkeypatch) -> None:
    admin = _admin()
    job = _job(admin, _connection(admin), job_definitions.CUSTOM)
    real_remove = schedules.remove

    def run_starts(job_id: str) -> None:
        real_remove(job_id)
        assert connector_repository.lock_job(admin.tenant_id, job_id, "RUN2", clock.now(), 3600)

    monkeypatch.setattr(schedules, "remove", run_starts)
    error = _failure(lambda: jobs.delete_job(admin, job["jobId"]))
    assert isinstance(error, Conflict) and "meanwhile" in error.desc
    assert connector_repository.get_job(admin.tenant_id, job["jobId"]) is not None
    assert (schedules.describe(job["jobId"]) or {}).get("State") == "ENABLED"


def test_another_tenants_connector_job_does_not_exist_here(aws_tables) -> None:
    admin, other = _admin(), _admin()
    job = _job(other, _connection(other), job_definitions.CUSTOM)
    assert isinstance(_failure(lambda: jobs.delete_job(admin, job["jobId"])), NotFound)
    assert connector_repository.get_job(other.tenant_id, job["jobId"]) is not None
