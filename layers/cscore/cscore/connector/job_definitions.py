"""The out-of-the-box jobs of a connection (SPEC §3.2): sources, targets, default
mappings, filters, keys and the chain. Data, not code, so that the sync engine reads
every job (these and custom ones) the same way, and admins can edit them.

A mapping is ``{"source", "target"}`` (copy), ``{"source", "target", "lookup": {"object",
"by"}}`` (derived: the target holds the GSID of the record whose ``by`` field equals the
source value; ``by: "companyResolution"`` means the connection's Company Resolution
field) or ``{"target", "value"}`` (a constant). Targets of a job that writes two objects
are qualified (``Person.Email``). A lookup of a record says what several matches
(``multiMatchOption``) and no match (``onNoMatch``) do (``connector.mappings``); the jobs
below spell out what SPEC §4.5 and §3.3 ask: several matches are an error, a missing
company, user, parent or manager rejects the row (retried every run), a missing CSM
leaves Csm null.
"""

from __future__ import annotations

import copy
from typing import Any

USER_SYNC = "USER_SYNC"
COMPANY_SYNC = "COMPANY_SYNC"
COMPANY_PERSON_SYNC = "COMPANY_PERSON_SYNC"
COMPANY_TEAM_SYNC = "COMPANY_TEAM_SYNC"
CUSTOM = "CUSTOM"
COMPANY_RESOLUTION = "companyResolution"
DEFAULT_COMPANY_RESOLUTION = {"sourceField": "Id", "targetField": "SfdcAccountId"}


def _copy(*pairs: tuple[str, str]) -> list[dict[str, Any]]:
    return [{"source": source, "target": target} for source, target in pairs]


def _lookup(source: str, target: str, obj: str, by: str, **options: Any) -> dict[str, Any]:
    return {"source": source, "target": target, "lookup": {"object": obj, "by": by, **options}}


def _record_lookup(source: str, target: str, obj: str, by: str, on_no_match: str = "REJECT") -> dict[str, Any]:
    return _lookup(source, target, obj, by, multiMatchOption="MARKASERROR", onNoMatch=on_no_match)


# (type, display name, source object, target object, filter, mappings, key fields, parent type)
_DEFINITIONS: list[tuple[str, str, str, str, str | None, list[dict[str, Any]], list[str], str | None]] = [
    (
        USER_SYNC,
        "User Sync",
        "User",
        "User",
        "UserType = 'Standard'",
        [
            *_copy(
                ("Username", "SFDCUserName"),
                ("Id", "SfdcUserId"),
                ("Email", "Email"),
                ("FirstName", "FirstName"),
                ("LastName", "LastName"),
                ("Name", "Name"),
                ("Title", "Title"),
                ("TimeZoneSidKey", "Timezone"),
                ("LocaleSidKey", "Locale"),
                ("IsActive", "IsActiveUser"),
            ),
            _record_lookup("ManagerId", "Manager", "User", "SfdcUserId"),
        ],
        ["SFDCUserName"],
        None,
    ),
    (
        COMPANY_SYNC,
        "Company Sync",
        "Account",
        "Company",
        None,
        [
            *_copy(("Id", "SfdcAccountId"), ("Name", "Name"), ("Industry", "Industry"), ("Type", "Type")),
            *_copy(("Website", "Website")),
            _record_lookup("ParentId", "ParentCompany", "Company", COMPANY_RESOLUTION),
            _record_lookup("OwnerId", "Csm", "User", "SfdcUserId", on_no_match="NULL"),
        ],
        ["SfdcAccountId"],
        USER_SYNC,
    ),
    (
        COMPANY_PERSON_SYNC,
        "Company Person Sync",
        "Contact",
        "CompanyPerson",
        None,
        [
            *_copy(
                ("Email", "Person.Email"),
                ("FirstName", "Person.FirstName"),
                ("LastName", "Person.LastName"),
                ("Title", "Person.Title"),
                ("Phone", "Person.Phone"),
                ("Id", "CompanyPerson.SfdcContactId"),
                ("Title", "CompanyPerson.Title"),
            ),
            _record_lookup("AccountId", "CompanyPerson.CompanyId", "Company", COMPANY_RESOLUTION),
        ],
        ["Person.Email", "CompanyPerson.SfdcContactId"],
        COMPANY_SYNC,
    ),
    (
        COMPANY_TEAM_SYNC,
        "Company Team Sync",
        "AccountTeamMember",
        "CompanyTeam",
        None,
        [
            _record_lookup("AccountId", "CompanyId", "Company", COMPANY_RESOLUTION),
            _record_lookup("UserId", "UserId", "User", "SfdcUserId"),
            _lookup("TeamMemberRole", "TeamRole", "TeamRole", "label", createMissing=True),
            {"target": "UserSource", "value": "Salesforce"},
            {"target": "UserAccess", "value": "Member"},
        ],
        ["CompanyId", "UserId"],
        COMPANY_SYNC,
    ),
]


def out_of_the_box(connection: dict[str, Any], new_id: Any) -> list[dict[str, Any]]:
    """The four jobs of a connection, chained; ``new_id()`` mints job ids. The chain's
    first job carries the default schedule; the others start after their parent."""
    ids = {definition[0]: new_id() for definition in _DEFINITIONS}
    resolution = connection.get("companyResolution") or DEFAULT_COMPANY_RESOLUTION
    jobs = []
    for job_type, title, source, target, soql_filter, mappings, key_fields, parent in _DEFINITIONS:
        job: dict[str, Any] = {
            "jobId": ids[job_type],
            "connectionId": connection["connectionId"],
            "jobType": job_type,
            "name": f"{title}_{connection['name']}",
            "sourceObject": source,
            "targetObject": target,
            "filter": soql_filter,
            "mappings": copy.deepcopy(mappings),
            "keyFields": list(key_fields),
            "enabled": True,
            "schedule": None if parent else dict(DEFAULT_SCHEDULE),
            "dependsOn": ids[parent] if parent else None,
            "lastRun": None,
        }
        if job_type == COMPANY_SYNC:
            apply_company_resolution(job, resolution)
        jobs.append(job)
    return jobs


def apply_company_resolution(job: dict[str, Any], resolution: dict[str, str]) -> None:
    """Company Sync is keyed by the Company Resolution: its key mapping follows it."""
    if job.get("jobType") != COMPANY_SYNC:
        return
    old_key = job["keyFields"][0] if job.get("keyFields") else None
    mappings = [m for m in job["mappings"] if m.get("target") != old_key or "lookup" in m]
    mappings.insert(0, {"source": resolution["sourceField"], "target": resolution["targetField"]})
    job["mappings"] = mappings
    job["keyFields"] = [resolution["targetField"]]


DEFAULT_SCHEDULE = {"frequency": "DAILY", "time": "02:00", "timezone": "UTC"}
