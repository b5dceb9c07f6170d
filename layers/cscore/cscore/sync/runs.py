"""Runs of connector jobs (SPEC §3.3): start (run now, schedule, a parent finishing),
one run per job at a time, execution in slices that checkpoint and continue through the
run queue, finish (outcome on the job, dependents started), and the run history API.

A run's life: QUEUED (job locked, message on the run queue) -> RUNNING (an invocation
holds the run's lease and works until its time is nearly up, saving a checkpoint after
every page; then it queues a continuation) -> SUCCESS | PARTIAL_SUCCESS | FAILED (job
unlocked, watermark advanced on success, dependents queued).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from cscore.auth.principal import Principal
from cscore.connector import jobs, repository, sessions
from cscore.connector.errors import ConnectionNotAuthorized
from cscore.errors import Conflict, NotFound
from cscore.platform import aws, clock, config, counters, csv_export, ids, leases
from cscore.salesforce.errors import ReauthorizationNeeded, RequestLimitExceeded, SalesforceError
from cscore.salesforce.soql_filter import FilterError
from cscore.sync.counts import COUNTS

QUEUED, RUNNING, SUCCESS, PARTIAL_SUCCESS, FAILED = "QUEUED", "RUNNING", "SUCCESS", "PARTIAL_SUCCESS", "FAILED"
FINAL = (SUCCESS, PARTIAL_SUCCESS, FAILED)
LOCK_SECONDS = 3600  # a job lock not renewed for this long belonged to a crashed run
LEASE_SECONDS = 960  # longer than the function's timeout (900 s)
STOP_MARGIN_MS = 60_000
ERROR_ROWS_PER_ITEM = 200  # stop and continue later when less than this is left
_VIEW_FIELDS = ("runId", "jobId", "status", "reason", "trigger", "queuedAt", "startedAt", "endedAt", *COUNTS)


def view(run: dict[str, Any]) -> dict[str, Any]:
    counts = run.get("counts") or {}
    return {name: counts.get(name, 0) if name in COUNTS else run.get(name) for name in _VIEW_FIELDS}


# ---------------------------------------------------------------- starting runs
def run_now(principal: Principal, job_id: str, with_dependents: bool) -> dict[str, Any]:
    """POST /v1/connectors/jobs/{jobId}/run."""
    job = jobs.job_of(principal.tenant_id, job_id)
    return {"runId": start(principal.tenant_id, job, "MANUAL", with_dependents)["runId"]}


def start_scheduled(tenant_id: str, job_id: str) -> dict[str, Any] | None:
    """A schedule fired: run the chain from this job, unless it cannot run now."""
    job = repository.get_job(tenant_id, job_id)
    if job is None:
        return None
    try:
        return start(tenant_id, job, "SCHEDULE", with_dependents=True)
    except (ConnectionNotAuthorized, Conflict):
        return None  # disabled, revoked or still running: the next firing tries again


def start(tenant_id: str, job: dict[str, Any], trigger: str, with_dependents: bool) -> dict[str, Any]:
    """Queue a run: refused while the connection is not authorized (GS_SF_1004), the job
    is disabled, or another run of the job is queued or running (GS_1409)."""
    if not jobs.is_authorized(tenant_id, job["connectionId"]):
        raise ConnectionNotAuthorized("The job's Salesforce connection is not authorized: re-authorize it first")
    if not job.get("enabled"):
        raise Conflict("The job is disabled: enable it first")
    now = clock.now()
    run = {
        "runId": ids.new_gsid(ids.RUN),
        "jobId": job["jobId"],
        "status": QUEUED,
        "trigger": trigger,
        "withDependents": with_dependents,
        "queuedAt": clock.iso(now),
        "reason": None,
        "startedAt": None,
        "endedAt": None,
        "counts": dict.fromkeys(COUNTS, 0),
        "checkpoint": None,
    }
    if not repository.lock_job(tenant_id, job["jobId"], run["runId"], now, LOCK_SECONDS):
        raise Conflict("A run of this job is already queued or running")
    repository.put_run(tenant_id, run)
    repository.update_job_fields(tenant_id, job["jobId"], {"lastRun": _summary(run)})
    _enqueue(tenant_id, run["runId"])
    return run


def _summary(run: dict[str, Any]) -> dict[str, Any]:
    return {"runId": run["runId"], "status": run["status"], "queuedAt": run["queuedAt"], "endedAt": run.get("endedAt")}


def _enqueue(tenant_id: str, run_id: str) -> None:
    aws.sqs().send_message(
        QueueUrl=config.sync_runs_queue_url(), MessageBody=json.dumps({"tenantId": tenant_id, "runId": run_id})
    )


# ---------------------------------------------------------------- executing runs
def execute(tenant_id: str, run_id: str, remaining_ms: Callable[[], int]) -> str:
    """Work on a run until it is done or this invocation's time is nearly up. Returns
    what happened: ``done``, ``continued`` or ``skipped`` (finished, or another
    invocation holds it)."""
    run = repository.get_run(tenant_id, run_id)
    if run is None or run["status"] in FINAL:
        return "skipped"
    token = secrets.token_hex(16)
    now = clock.now()
    if not leases.take_lease(repository.run_key(tenant_id, run_id), token, now, now + LEASE_SECONDS):
        return "skipped"
    job = repository.get_job(tenant_id, run["jobId"])
    connection = repository.get_connection(tenant_id, job["connectionId"]) if job else None
    if job is None or connection is None:
        _finish(tenant_id, run, token, FAILED, "The job or its connection no longer exists")
        return "done"
    repository.renew_job_lock(tenant_id, job["jobId"], run_id, now + LOCK_SECONDS)
    started = run.get("startedAt") or clock.iso(now)
    if run["status"] == QUEUED:
        leases.save_leased(repository.run_key(tenant_id, run_id), token, {"status": RUNNING, "startedAt": started})
        run |= {"status": RUNNING, "startedAt": started}
    try:
        client = sessions.salesforce_client(tenant_id, connection)
        from cscore.sync.engine import Engine  # the API handlers here never run the engine

        checkpoint, counts = run.get("checkpoint"), run.get("counts")
        engine = Engine(tenant_id, job, connection, client, checkpoint, counts, started, run_id=run_id)
        while not engine.step():
            _checkpoint(tenant_id, run, token, engine)
            if remaining_ms() < STOP_MARGIN_MS:
                leases.save_leased(repository.run_key(tenant_id, run_id), token, {}, release=True)
                _enqueue(tenant_id, run_id)
                return "continued"
        _checkpoint(tenant_id, run, token, engine)
    except ReauthorizationNeeded:
        sessions.mark_needs_reauthorization(tenant_id, connection["connectionId"])
        reason = "Salesforce refused the refresh token (invalid_grant): re-authorize the connection"
        _finish(tenant_id, run, token, FAILED, reason)
        return "done"
    except ConnectionNotAuthorized as exc:
        _finish(tenant_id, run, token, FAILED, exc.desc)
        return "done"
    except FilterError as exc:  # stored before filters were checked when saved
        _finish(tenant_id, run, token, FAILED, f"The job's filter is not valid SOQL ({exc}): edit it")
        return "done"
    except RequestLimitExceeded:
        reason = "Salesforce's daily API limit is reached (REQUEST_LIMIT_EXCEEDED): the next run resumes"
        _finish(tenant_id, run, token, FAILED, reason)
        return "done"
    except SalesforceError as exc:
        _finish(tenant_id, run, token, FAILED, f"Salesforce failed: {exc}")
        return "done"
    counts = engine.counts
    status = PARTIAL_SUCCESS if counts["rejected"] or counts["errored"] else SUCCESS
    _finish(tenant_id, run, token, status, engine.summary(), watermark=engine.next_watermark)
    return "done"


def _checkpoint(tenant_id: str, run: dict[str, Any], token: str, engine: Any) -> None:
    errors = engine.take_errors()
    for start in range(0, len(errors), ERROR_ROWS_PER_ITEM):  # items stay far below 400 KB
        sequence = int(run.get("errorPages") or 0)
        repository.put_run_errors(tenant_id, run["runId"], sequence, errors[start : start + ERROR_ROWS_PER_ITEM])
        run["errorPages"] = sequence + 1
    fields = {"checkpoint": engine.checkpoint, "counts": engine.counts, "errorPages": run.get("errorPages") or 0}
    # Records the run inserted are counted with the checkpoint that moves past them
    # (sync.engine): a page done again after a crash counts them then, never twice.
    counters_changed = [counters.change(tenant_id, obj, n) for obj, n in sorted(engine.take_inserted().items()) if n]
    if not leases.save_leased(repository.run_key(tenant_id, run["runId"]), token, fields, also=counters_changed):
        raise Conflict("another invocation took over this run")


def _finish(
    tenant_id: str,
    run: dict[str, Any],
    token: str,
    status: str,
    reason: str | None,
    watermark: str | None = None,
) -> None:
    ended = clock.iso()
    ended_fields = {"status": status, "reason": reason, "endedAt": ended}
    run |= ended_fields
    leases.save_leased(repository.run_key(tenant_id, run["runId"]), token, ended_fields, release=True)
    outcome: dict[str, Any] = {"lastRun": _summary(run)}
    if status in (SUCCESS, PARTIAL_SUCCESS):
        outcome |= {"lastSuccessAt": run["startedAt"]}
        if watermark:
            outcome["watermark"] = watermark
    repository.unlock_job(tenant_id, run["jobId"], run["runId"], outcome)
    if status in (SUCCESS, PARTIAL_SUCCESS) and run.get("withDependents"):
        for dependent in repository.list_jobs(tenant_id):
            if dependent.get("dependsOn") == run["jobId"] and dependent.get("enabled"):
                try:
                    start(tenant_id, dependent, "DEPENDENCY", with_dependents=True)
                except (ConnectionNotAuthorized, Conflict):
                    continue  # already running, or paused meanwhile


# ---------------------------------------------------------------- history
def list_runs(principal: Principal, job_id: str, limit: int = 50) -> dict[str, Any]:
    jobs.job_of(principal.tenant_id, job_id)
    return {"runs": [view(r) for r in repository.list_runs(principal.tenant_id, job_id, limit)]}


def _run(principal: Principal, run_id: str) -> dict[str, Any]:
    run = repository.get_run(principal.tenant_id, run_id)
    if run is None:
        raise NotFound(f"runId: no run {run_id}")
    return run


def get_run(principal: Principal, run_id: str) -> dict[str, Any]:
    return view(_run(principal, run_id))


def errors_csv(principal: Principal, run_id: str) -> str:
    """The run's rejected and errored rows: ``sourceId, outcome, reason`` then the
    source row's fields (SPEC §3.3), cells safe to open in a spreadsheet (``csv_export``)."""
    _run(principal, run_id)
    rows = repository.list_run_errors(principal.tenant_id, run_id)
    fields: dict[str, None] = {}
    for row in rows:
        fields.update(dict.fromkeys(row.get("row") or {}))
    lines = [
        [row["sourceId"], row["outcome"], row["reason"], *((row.get("row") or {}).get(f) for f in fields)]
        for row in rows
    ]
    return csv_export.csv_text([["sourceId", "outcome", "reason", *fields], *lines])
