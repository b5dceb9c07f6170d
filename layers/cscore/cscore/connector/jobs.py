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
from cscore.connector import filters, job_definitions, repository, schedules
from cscore.connector import mappings as mapping_rules
from cscore.connector.errors import ConnectionNotAuthorized
from cscore.connector.models import CreateJob, UpdateJob
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
# Key fields an admin may choose for a job type (User Sync: SfdcUserId instead of SFDCUserName).
_KEY_CHOICES = {job_definitions.USER_SYNC: (["SFDCUserName"], ["SfdcUserId"])}


def view(job: dict[str, Any]) -> dict[str, Any]:
    shown = {name: job.get(name) for name in _VIEW_FIELDS}
    if isinstance(shown["mappings"], list):  # a job stored before the match options shows their defaults
        shown["mappings"] = mapping_rules.with_match_options(shown["mappings"], str(job.get("targetObject")))
    return shown


def job_of(tenant_id: str, job_id: str) -> dict[str, Any]:
    """A job of the tenant (404 otherwise: another tenant's job does not exist here)."""
    job = repository.get_job(tenant_id, job_id)
    if job is None:
        raise NotFound(f"jobId: no job {job_id}")
    return job


def is_authorized(tenant_id: str, connection_id: str) -> bool:
    return _authorized(repository.get_connection(tenant_id, connection_id))


def _authorized(connection: dict[str, Any] | None) -> bool:
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
                repository.update_job_fields(
                    tenant_id, job["jobId"], {"enabled": job["enabled"]}, ("enabledBeforePause",)
                )
    for job in existing:
        schedules.apply(tenant_id, job, active=True)


def company_resolution_changed(tenant_id: str, connection_id: str, resolution: dict[str, str]) -> None:
    """Company Sync's key follows the resolution; every job that matches Accounts to
    Companies reads everything again on its next run (the matches may differ now)."""
    for job in repository.list_jobs(tenant_id):
        if job["connectionId"] != connection_id:
            continue
        uses_resolution = any(
            (m.get("lookup") or {}).get("by") == job_definitions.COMPANY_RESOLUTION for m in job["mappings"]
        )
        if job.get("jobType") == job_definitions.COMPANY_SYNC:
            job_definitions.apply_company_resolution(job, resolution)
            changed = {"mappings": job["mappings"], "keyFields": job["keyFields"], "modifiedDate": clock.iso()}
            repository.update_job_fields(tenant_id, job["jobId"], changed, ("watermark",))
        elif uses_resolution:
            repository.update_job_fields(tenant_id, job["jobId"], {"modifiedDate": clock.iso()}, ("watermark",))


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
    return view(job_of(principal.tenant_id, job_id))


def _mappings(value: Any, target_object: str, tenant_item: dict[str, Any]) -> list[dict[str, Any]]:
    """The mappings of a job writing ``target_object``, checked (``connector.mappings``)."""
    try:
        return mapping_rules.check(value, target_object, tenant_item)
    except mapping_rules.MappingError as exc:
        raise BadRequest(str(exc)) from None


def update_job(principal: Principal, job_id: str, request: UpdateJob) -> dict[str, Any]:
    """PUT /v1/connectors/jobs/{jobId}: the edits given, checked, stored, then the schedule."""
    edits = request.model_dump(include=request.model_fields_set)  # at least one (the model's rule)
    tenant_id = principal.tenant_id
    job = job_of(tenant_id, job_id)
    before = dict(job)
    connection = repository.get_connection(tenant_id, job["connectionId"])
    authorized = _authorized(connection)
    _edit(job, edits, principal, connection, authorized)
    _store_edits(tenant_id, job, before)
    schedules.apply(tenant_id, job, active=authorized)
    return view(job)


def _edit(job: dict[str, Any], edits: dict[str, Any], principal: Principal, connection: Any, authorized: bool) -> None:
    """Each edit given, checked against the job's own facts, applied to ``job``."""
    if "name" in edits:
        job["name"] = edits["name"].strip()
    if "enabled" in edits:
        if edits["enabled"] and not authorized:
            raise ConnectionNotAuthorized("A job can be enabled only while its connection is authorized")
        job["enabled"] = edits["enabled"]
        job.pop("enabledBeforePause", None)
    if "schedule" in edits:
        if job.get("dependsOn") and edits["schedule"] is not None:
            raise BadRequest("schedule: this job runs after the job it depends on; schedule the chain's first job")
        job["schedule"] = schedules.validate(edits["schedule"])
    if "filter" in edits:
        job["filter"] = filters.checked(principal.tenant_id, connection, job["sourceObject"], edits["filter"])
    if "mappings" in edits:
        job["mappings"] = _mappings(edits["mappings"], job["targetObject"], principal.tenant)
    if "keyFields" in edits:
        job["keyFields"] = _key_fields(job, edits["keyFields"])


def _key_fields(job: dict[str, Any], key_fields: list[str]) -> list[str]:
    choices = _KEY_CHOICES.get(job.get("jobType") or "")
    if choices is None or key_fields not in choices:
        allowed = " or ".join(str(c) for c in choices) if choices else "the job's own key fields only"
        raise BadRequest(f"keyFields: must be {allowed}")
    return list(key_fields)


def _store_edits(tenant_id: str, job: dict[str, Any], before: dict[str, Any]) -> None:
    """Only what changed is written; other rows or fields than before make the next run
    read everything again (the watermark goes)."""
    job["modifiedDate"] = clock.iso()
    changed = {
        name: job[name] for name in (*_EDITABLE, "modifiedDate") if name in job and job[name] != before.get(name)
    }
    removed = tuple(name for name in ("enabledBeforePause",) if name in before and name not in job)
    if any(name in changed for name in ("filter", "mappings", "keyFields")):
        removed += ("watermark",)
    repository.update_job_fields(tenant_id, job["jobId"], changed, removed)


# ---------------------------------------------------------------- custom jobs
# Objects a custom job can write, and the key fields each can be matched by.
CUSTOM_TARGETS = {
    "Person": (["Email"],),
    "Company": (["SfdcAccountId"], ["Name"]),
    "User": (["SFDCUserName"], ["SfdcUserId"]),
}
_OBJECT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")


def create_job(principal: Principal, request: CreateJob) -> dict[str, Any]:
    """A custom data sync job (SPEC §3.1 "Create job"), run by the same engine."""
    tenant_id = principal.tenant_id
    connection_id = request.connectionId
    connection = repository.get_connection(tenant_id, connection_id)
    if connection is None:
        raise BadRequest("connectionId: required, a Salesforce connection of this tenant")
    source, target = request.sourceObject, request.targetObject
    if not _OBJECT.match(source):
        raise BadRequest("sourceObject: required, a Salesforce object API name (e.g. Contact)")
    if target not in CUSTOM_TARGETS:
        raise BadRequest(f"targetObject: must be one of {', '.join(CUSTOM_TARGETS)}")
    mappings = _mappings(request.mappings, target, principal.tenant)
    if request.keyFields not in CUSTOM_TARGETS[target]:
        choices = " or ".join(str(c) for c in CUSTOM_TARGETS[target])
        raise BadRequest(f"keyFields: for {target} must be {choices}")
    key_field = request.keyFields[0]
    if not any(m["target"] == key_field for m in mappings):
        raise BadRequest(f"mappings: the key field {key_field} must be mapped")
    depends_on = request.dependsOn
    if depends_on is not None:
        parent = repository.get_job(tenant_id, depends_on)
        if parent is None or parent["connectionId"] != connection_id:
            raise BadRequest("dependsOn: must be a job of the same connection")
    schedule = schedules.validate(request.schedule)
    if depends_on is not None and schedule is not None:
        raise BadRequest("schedule: a job that depends on another runs after it; it has no schedule")
    # Last: checking the filter's fields asks Salesforce.
    soql_filter = filters.checked(tenant_id, connection, source, request.filter)
    now = clock.iso()
    job = {
        "jobId": ids.new_gsid(ids.JOB),
        "connectionId": connection_id,
        "jobType": job_definitions.CUSTOM,
        "name": request.name.strip(),
        "sourceObject": source,
        "targetObject": target,
        "filter": soql_filter,
        "mappings": mappings,
        "keyFields": list(request.keyFields),
        "enabled": request.enabled,
        "schedule": schedule,
        "dependsOn": depends_on,
        "lastRun": None,
        "createdDate": now,
        "modifiedDate": now,
    }
    repository.put_job(tenant_id, job)
    schedules.apply(tenant_id, job, active=_authorized(connection))
    return view(job)


def delete_job(principal: Principal, job_id: str) -> dict[str, Any]:
    """DELETE /v1/connectors/jobs/{jobId}: a custom job's schedule, definition and rows
    kept for retry go. Its runs stay readable by runId (what it wrote, and why rows were
    rejected, outlives it), as do the records it wrote. Refused (409): an out-of-the-box
    job (the chain needs it: disable it instead), a job others depend on, a job with a
    run queued or running (it would end midway; delete after it)."""
    tenant_id = principal.tenant_id
    job = job_of(tenant_id, job_id)
    if job.get("jobType") != job_definitions.CUSTOM:
        raise Conflict(
            f"jobId: {job['name']} is an out-of-the-box job: it cannot be deleted, only disabled "
            '(PUT /v1/connectors/jobs/{jobId} {"enabled": false})'
        )
    dependents = [j["name"] for j in repository.list_jobs(tenant_id) if j.get("dependsOn") == job["jobId"]]
    if dependents:
        raise Conflict(f"jobId: {', '.join(sorted(dependents))} depend(s) on this job; delete them first")
    now = clock.now()
    if job.get("activeRunId") and float(job.get("activeRunUntil") or 0) >= now:
        raise Conflict(f"jobId: run {job['activeRunId']} of this job is queued or running; delete it when it ends")
    # The schedule first: a DELETE that fails after it can be sent again, and a job never
    # outlives its deletion with a schedule firing into nothing.
    schedules.remove(job["jobId"])
    if not repository.delete_idle_custom_job(tenant_id, job["jobId"], now):
        current = job_of(tenant_id, job["jobId"])  # 404 when another DELETE took it
        schedules.apply(tenant_id, current, active=is_authorized(tenant_id, current["connectionId"]))
        raise Conflict("jobId: a run of this job started meanwhile; delete it when it ends")
    repository.delete_pending(tenant_id, job["jobId"])
    return {"jobId": job["jobId"], "deleted": True}
