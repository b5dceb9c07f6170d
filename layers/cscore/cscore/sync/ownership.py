"""What a sync job may delete: its deletes phase and its reconcile touch only records the
job owns, never other jobs' data and never what an admin entered by hand.

A record remembers the job that created it (``keys.SYNC_OWNER``, set by the sync's store
on insert, kept by every later update, never settable by input). A job may delete a
record of its target object when

- the job created it; or
- the job is out of the box and the record was created by no job (entered through the
  API, or synced before owners were recorded) or by a job reading the same Salesforce
  object: such a record carries the id of a row of the OOB job's own source (Company
  Sync: a Company whose SfdcAccountId is the Id of a deleted Account);

and the record is synced (a Company Team row entered by hand, UserSource other than
Salesforce, is never the sync's). A Company's Company Person and Company Team records go
with it under the same rule. Reconcile compares with the source's ids *unfiltered*: a
record whose source row still exists is never deleted, even when the row no longer
matches the job's filter (an incremental run leaves such records as they are too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cscore.connector import job_definitions


def synced(record: Mapping[str, Any]) -> bool:
    """Manual Company Team rows are not the sync's to delete."""
    return bool(record.get("UserSource", "Salesforce") == "Salesforce")


def may_delete(
    job: Mapping[str, Any], record: Mapping[str, Any], owner: str | None, sources: Mapping[str, str]
) -> bool:
    """Whether ``job`` may delete ``record``, created by the job ``owner`` (None: by no
    job); ``sources`` gives the source object of each of the tenant's jobs."""
    if not synced(record):
        return False
    if owner == job["jobId"]:
        return True
    if job.get("jobType") == job_definitions.CUSTOM:
        return False
    return owner is None or sources.get(owner) == job["sourceObject"]
