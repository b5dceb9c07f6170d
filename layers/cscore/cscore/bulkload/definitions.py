"""Bulk job definitions (SPEC §4.5(3)): which object a CSV file loads, how its columns
map to fields, how references are looked up, and the key that makes a row an upsert.

``POST /v1.0/admin/connector/job/bulk`` takes::

    {"name": "Team members",
     "objectName": "CompanyTeam",
     "headers": ["Company Name", "Email ID", "Deleted"],          # the CSV's header row
     "fieldMappings": {"Deleted": "Deleted"},                     # column -> field
     "lookups": {"CompanyId": {"fields": {"Company Name": "Name"}, "objectName": "Company",
                               "lookupField": "Gsid", "multiMatchOption": "MARKASERROR"},
                 "UserId": {"fields": {"Email ID": "Email"}, "objectName": "User",
                            "lookupField": "Gsid"}},
     "keys": ["CompanyId", "UserId"]}

Lookups have the shape and options of the users API's (SPEC §2.2, ``users.lookups``),
with one identifier each. Everything is checked here, so that a job that was accepted
can only meet problems of the file itself: an unknown column or field, a missing
``Deleted`` mapping, a key that is not the object's, two sources for one field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cscore.auth.principal import Principal
from cscore.bulkload import repository
from cscore.bulkload.models import CreateBulkJob
from cscore.errors import BadRequest, Conflict, NotFound
from cscore.platform import clock, ids
from cscore.users import lookups as lookup_rules

DELETED = "Deleted"
# What a row of an import can come to (counted in the import's status).
OUTCOMES = ("inserted", "updated", "unchanged", "deleted", "skipped", "rejected")


@dataclass(frozen=True)
class Target:
    """An object the Bulk API loads and the rules of its jobs."""

    name: str
    direct_fields: frozenset[str]  # standard fields a column may fill
    lookups: dict[str, str]  # field -> the object it is looked up in
    key_fields: tuple[str, ...]  # the upsert key, fixed for the object
    deleted_required: bool  # a Deleted column must be mapped


# Company Team (SPEC §4.5(3)): Company and User found by one identifier each, upserted on
# the pair of their GSIDs; Deleted true removes the membership.
COMPANY_TEAM = Target(
    name="CompanyTeam",
    direct_fields=frozenset({"CompanyId", "UserId", "TeamRole", "UserAccess", DELETED}),
    lookups={"CompanyId": "Company", "UserId": "User"},
    key_fields=("CompanyId", "UserId"),
    deleted_required=True,
)
TARGETS = {t.name: t for t in (COMPANY_TEAM,)}


def _headers(raw: list[str]) -> list[str]:
    names: list[str] = []
    for value in raw:
        name = value.strip()
        if name.lower() in {n.lower() for n in names}:
            raise BadRequest(f"headers: column {name!r} appears twice")
        names.append(name)
    return names


def _field_mappings(
    raw: dict[str, str], headers: list[str], target: Target, tenant_item: dict[str, Any]
) -> dict[str, str]:
    """Column -> field: a field the catalog lets input write (``objects.writable``: never a
    storage attribute or a protected field), and one a column of this object may fill."""
    from cscore.objects import writable  # the status endpoints need none of the query engine

    fields = writable.for_object(target.name, tenant_item)
    custom = set(fields.custom.types) if fields.custom else set()
    mappings: dict[str, str] = {}
    for column, field in raw.items():
        if column not in headers:
            raise BadRequest(f"fieldMappings: column {column!r} is not in headers")
        if field != DELETED:
            try:
                fields.field(field)
            except writable.Refused as exc:
                raise BadRequest(f"fieldMappings.{column}: {exc}") from None
        if field not in target.direct_fields and field not in custom:
            allowed = ", ".join(sorted(target.direct_fields | custom))
            raise BadRequest(f"fieldMappings.{column}: {field} is not a field a column fills ({allowed})")
        if field in mappings.values():
            raise BadRequest(f"fieldMappings: two columns fill {field}")
        mappings[column] = field
    if target.deleted_required and DELETED not in mappings.values():
        raise BadRequest(f"fieldMappings: the {DELETED} column must be mapped (true removes the record)")
    return mappings


def _lookups(raw: Any, headers: list[str], target: Target, mapped: set[str]) -> dict[str, dict[str, Any]]:
    parsed = lookup_rules.parse(
        raw if raw is not None else {},
        [],
        targets=target.lookups,
        present=lambda column: column in headers,
        where="headers",
        owner=target.name,
    )
    out: dict[str, dict[str, Any]] = {}
    for lookup in parsed:
        if len(lookup.criteria) != 1:
            raise BadRequest(
                f"lookups: {lookup.target} must name one identifier of {lookup.object_name} (one column)",
                code="GU_2406",
            )
        if lookup.target in mapped:
            raise BadRequest(f"lookups: {lookup.target} is also filled by a column; give one source")
        if lookup.target in target.key_fields and lookup.on_no_match != "ERROR" and raw[lookup.target].get("onNoMatch"):
            raise BadRequest(
                f"lookups: {lookup.target} is a key field, so onNoMatch must be ERROR (a row without it is rejected)"
            )
        out[lookup.target] = {
            "objectName": lookup.object_name,
            "fields": dict(lookup.criteria),
            "lookupField": lookup.lookup_field,
            "multiMatchOption": lookup.multi_match,
            "onNoMatch": "ERROR" if lookup.target in target.key_fields else lookup.on_no_match,
            **({"defaultValue": lookup.default_value} if lookup.on_no_match == "DEFAULTVALUE" else {}),
        }
    return out


def parse(request: CreateBulkJob, tenant_item: dict[str, Any]) -> dict[str, Any]:
    """A job definition from its request, checked (400 naming the first problem)."""
    target = TARGETS.get(request.objectName)
    if target is None:
        raise BadRequest(
            f"objectName: {request.objectName!r} is not an object the Bulk API loads ({', '.join(TARGETS)})"
        )
    headers = _headers(request.headers)
    mappings = _field_mappings(request.fieldMappings, headers, target, tenant_item)
    lookups = _lookups(request.lookups, headers, target, set(mappings.values()))
    if sorted(request.keys) != sorted(target.key_fields):
        raise BadRequest(
            f"keys: {target.name} rows are upserted on {' + '.join(target.key_fields)}; give exactly those"
        )
    for field in target.key_fields:
        if field not in lookups and field not in mappings.values():
            raise BadRequest(f"{field}: a key field needs a source (a lookup or a column mapped to it)")
    return {
        "name": request.name.strip(),
        "objectName": target.name,
        "headers": headers,
        "fieldMappings": mappings,
        "lookups": lookups,
        "keys": list(target.key_fields),
    }


def create_job(principal: Principal, request: CreateBulkJob) -> dict[str, Any]:
    """POST /v1.0/admin/connector/job/bulk: ``data`` = the job, with its ``jobId``."""
    job = parse(request, principal.tenant)
    job = {"jobId": ids.new_gsid(ids.BULK_JOB), **job, "createdDate": clock.iso(), "createdBy": principal.user_gsid}
    repository.put_job(principal.tenant_id, job)
    return job


def job_of(tenant_id: str, job_id: Any) -> dict[str, Any]:
    if not isinstance(job_id, str) or not job_id.strip():
        raise BadRequest("jobId: required")
    job = repository.get_job(tenant_id, job_id.strip())
    if job is None:
        raise NotFound(f"jobId: no bulk job {job_id.strip()} in this tenant")
    return job


def get_job(principal: Principal, job_id: str) -> dict[str, Any]:
    """GET .../job/bulk/{jobId}: the job as it was defined (404 for another tenant's)."""
    return job_of(principal.tenant_id, job_id)


def list_jobs(principal: Principal, page_number: int, page_size: int) -> dict[str, Any]:
    """GET .../job/bulk?pageNumber=&pageSize=: ``data = {jobs, pageNumber, pageSize,
    hasMore}``, jobs in the order they were defined."""
    jobs, more = repository.list_jobs(principal.tenant_id, (page_number - 1) * page_size, page_size)
    return {"jobs": jobs, "pageNumber": page_number, "pageSize": page_size, "hasMore": more}


def delete_job(principal: Principal, job_id: str) -> dict[str, Any]:
    """DELETE .../job/bulk/{jobId}: the definition goes; its imports' statuses and error
    files stay readable by statusId. Refused (409) while one of its imports has not
    ended: the worker reads the job at every step and would fail the import midway."""
    job = job_of(principal.tenant_id, job_id)
    running = repository.running_imports(principal.tenant_id, job["jobId"])
    if running:
        raise Conflict(
            f"jobId: import {running[0]} of this job has not ended; delete the job when its imports are done"
        )
    if not repository.delete_job(principal.tenant_id, job["jobId"]):
        raise NotFound(f"jobId: no bulk job {job['jobId']} in this tenant")
    return {"jobId": job["jobId"], "deleted": True}
