"""Connector jobs (SPEC §3.2): the out-of-the-box chain created by the first
authorization, reading and editing jobs, pausing and restoring them with their
connection, and "run now".

Pausing (revoke, or Salesforce refusing the refresh token) remembers each job's
``enabled`` in ``enabledBeforePause``; re-authorizing restores exactly that.
"""

from __future__ import annotations

import re
from typing import Any

from cscore.auth.principal import Principal
from cscore.connector import job_definitions, repository, schedules
from cscore.connector.errors import ConnectionNotAuthorized
from cscore.errors import BadRequest, Conflict, NotFound
from cscore.platform import clock, ids

AUTHORIZED = "AUTHORIZED"
_VIEW_FIELDS = (
    "jobId",
    "connectionId",
    "name",
    "jobType",
    "sourceObject",
    "targetObject",
    "filter",
    "mappings",
    "keyFields",
    "enabled",
    "schedule",
    "dependsOn",
    "lastRun",
)
_EDITABLE = ("name", "enabled", "schedule", "filter", "mappings", "keyFields")
_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79})?$")
# Key fields an admin may choose for a job type (User Sync: SfdcUserId instead of SFDCUserName).
_KEY_CHOICES = {job_definitions.USER_SYNC: (["SFDCUserName"], ["SfdcUserId"])}


def view(job: dict[str, Any]) -> dict[str, Any]:
    return {name: job.get(name) for name in _VIEW_FIELDS}


def _job(tenant_id: str, job_id: str) -> dict[str, Any]:
    job = repository.get_job(tenant_id, job_id)
    if job is None:
        raise NotFound(f"jobId: no job {job_id}")
    return job


def _is_authorized(tenant_id: str, connection_id: str) -> bool:
    connection = repository.get_connection(tenant_id, connection_id)
    return bool(connection and connection["status"] == AUTHORIZED)


# ---------------------------------------------------------------- connection lifecycle
def connection_authorized(tenant_id: str, connection: dict[str, Any], *, first: bool) -> None:
    """The first authorization creates the out-of-the-box chain (once per connection);
    a later one restores each job's enabled state from before the pause."""
    connection_id = connection["connectionId"]
    existing = [j for j in repository.list_jobs(tenant_id) if j["connectionId"] == connection_id]
    if first and not existing:
        now = clock.iso()
        created = job_definitions.out_of_the_box(connection, lambda: ids.new_gsid(ids.JOB))
        for job in created:
            job |= {"createdDate": now, "modifiedDate": now}
        repository.put_jobs(tenant_id, created)
        existing = created
    else:
        for job in existing:
            if "enabledBeforePause" in job:
                job["enabled"] = bool(job.pop("enabledBeforePause"))
                repository.put_job(tenant_id, job)
    for job in existing:
        schedules.apply(tenant_id, job, active=True)


def connection_paused(tenant_id: str, connection_id: str) -> None:
    """Disable every job of the connection and its schedule, remembering the state."""
    for job in repository.list_jobs(tenant_id):
        if job["connectionId"] != connection_id:
            continue
        if "enabledBeforePause" not in job:
            job["enabledBeforePause"] = bool(job.get("enabled"))
        job["enabled"] = False
        repository.put_job(tenant_id, job)
        schedules.apply(tenant_id, job, active=False)


def company_resolution_changed(tenant_id: str, connection_id: str, resolution: dict[str, str]) -> None:
    for job in repository.list_jobs(tenant_id):
        if job["connectionId"] == connection_id and job.get("jobType") == job_definitions.COMPANY_SYNC:
            job_definitions.apply_company_resolution(job, resolution)
            job["modifiedDate"] = clock.iso()
            repository.put_job(tenant_id, job)


# ---------------------------------------------------------------- read and edit
def list_jobs(principal: Principal, connection_id: str | None) -> dict[str, Any]:
    jobs = repository.list_jobs(principal.tenant_id)
    if connection_id:
        if repository.get_connection(principal.tenant_id, connection_id) is None:
            raise NotFound(f"connectionId: no Salesforce connection {connection_id}")
        jobs = [j for j in jobs if j["connectionId"] == connection_id]
    jobs.sort(key=lambda j: (j.get("createdDate") or "", j["jobId"]))
    return {"jobs": [view(j) for j in jobs]}


def get_job(principal: Principal, job_id: str) -> dict[str, Any]:
    return view(_job(principal.tenant_id, job_id))


def _mappings(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise BadRequest("mappings: must be a non-empty list of {source, target} objects")
    clean = []
    for i, mapping in enumerate(value):
        where = f"mappings[{i}]"
        if not isinstance(mapping, dict):
            raise BadRequest(f"{where}: must be an object")
        unknown = sorted(set(mapping) - {"source", "target", "lookup", "value"})
        if unknown:
            raise BadRequest(f"{where}.{unknown[0]}: unknown field (allowed: source, target, lookup, value)")
        if not isinstance(mapping.get("target"), str) or not _FIELD.match(mapping["target"]):
            raise BadRequest(f"{where}.target: required, a field API name")
        if "value" in mapping:
            if "source" in mapping or "lookup" in mapping:
                raise BadRequest(f"{where}: a constant (value) has no source or lookup")
        elif not isinstance(mapping.get("source"), str) or not _FIELD.match(mapping["source"]):
            raise BadRequest(f"{where}.source: required, a Salesforce field API name")
        lookup = mapping.get("lookup")
        if lookup is not None and (
            not isinstance(lookup, dict) or not isinstance(lookup.get("object"), str) or not lookup.get("by")
        ):
            raise BadRequest(f"{where}.lookup: must be {{object, by}}")
        clean.append(dict(mapping))
    return clean


def update_job(principal: Principal, job_id: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict) or not body:
        raise BadRequest(f"body: must be a JSON object with any of {', '.join(_EDITABLE)}")
    unknown = sorted(set(body) - set(_EDITABLE))
    if unknown:
        raise BadRequest(f"{unknown[0]}: not editable (editable: {', '.join(_EDITABLE)})")
    tenant_id = principal.tenant_id
    job = _job(tenant_id, job_id)
    authorized = _is_authorized(tenant_id, job["connectionId"])
    if "name" in body:
        if not isinstance(body["name"], str) or not 1 <= len(body["name"].strip()) <= 120:
            raise BadRequest("name: 1 to 120 characters")
        job["name"] = body["name"].strip()
    if "enabled" in body:
        if not isinstance(body["enabled"], bool):
            raise BadRequest("enabled: must be true or false")
        if body["enabled"] and not authorized:
            raise ConnectionNotAuthorized("A job can be enabled only while its connection is authorized")
        job["enabled"] = body["enabled"]
        job.pop("enabledBeforePause", None)
    if "schedule" in body:
        if job.get("dependsOn") and body["schedule"] is not None:
            raise BadRequest("schedule: this job runs after the job it depends on; schedule the chain's first job")
        job["schedule"] = schedules.validate(body["schedule"])
    if "filter" in body:
        if body["filter"] is not None and (not isinstance(body["filter"], str) or len(body["filter"]) > 4000):
            raise BadRequest("filter: a SOQL condition (the WHERE clause without WHERE), or null")
        job["filter"] = (body["filter"] or "").strip() or None
    if "mappings" in body:
        job["mappings"] = _mappings(body["mappings"])
    if "keyFields" in body:
        choices = _KEY_CHOICES.get(job.get("jobType") or "")
        if choices is None or body["keyFields"] not in choices:
            allowed = " or ".join(str(c) for c in choices) if choices else "the job's own key fields only"
            raise BadRequest(f"keyFields: must be {allowed}")
        job["keyFields"] = list(body["keyFields"])
    job["modifiedDate"] = clock.iso()
    repository.put_job(tenant_id, job)
    schedules.apply(tenant_id, job, active=authorized)
    return view(job)


# ---------------------------------------------------------------- runs
def run_job(principal: Principal, job_id: str, body: Any) -> dict[str, Any]:
    """Run now: refused while the connection is not authorized or the job disabled."""
    if body is None:
        body = {}
    if not isinstance(body, dict) or set(body) - {"withDependents"}:
        raise BadRequest("body: only withDependents (true or false) may be given")
    with_dependents = body.get("withDependents", False)
    if not isinstance(with_dependents, bool):
        raise BadRequest("withDependents: must be true or false")
    job = _job(principal.tenant_id, job_id)
    return {"runId": queue_run(principal.tenant_id, job, "MANUAL", with_dependents)["runId"]}


def queue_run(tenant_id: str, job: dict[str, Any], trigger: str, with_dependents: bool) -> dict[str, Any]:
    if not _is_authorized(tenant_id, job["connectionId"]):
        raise ConnectionNotAuthorized("The job's Salesforce connection is not authorized: re-authorize it first")
    if not job.get("enabled"):
        raise Conflict("The job is disabled: enable it first")
    now = clock.iso()
    run = {
        "runId": ids.new_gsid(ids.RUN),
        "jobId": job["jobId"],
        "status": "QUEUED",
        "trigger": trigger,
        "withDependents": with_dependents,
        "queuedAt": now,
        "reason": None,
        "startedAt": None,
        "endedAt": None,
    }
    repository.put_run(tenant_id, run)
    job["lastRun"] = {"runId": run["runId"], "status": run["status"], "queuedAt": now}
    repository.put_job(tenant_id, job)
    return run


def start_scheduled(tenant_id: str, job_id: str) -> dict[str, Any] | None:
    """A schedule fired: queue a run of the chain, unless the job can no longer run."""
    job = repository.get_job(tenant_id, job_id)
    if job is None or not job.get("enabled") or not _is_authorized(tenant_id, job["connectionId"]):
        return None
    return queue_run(tenant_id, job, "SCHEDULE", with_dependents=True)
