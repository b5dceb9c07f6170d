"""Connector table items of the Bulk API (docs/data-model.md):

* ``T#<t>#CONNECTOR`` / ``BULKJOB#<jobId>``: a bulk job definition
* ``T#<t>#BULKIMPORT#<statusId>`` / ``STATUS``: one import of a file: its status,
  counts, and the checkpoint of the worker (byte offset, row number, lease)
* ``T#<t>#BULKUPLOAD#<uploadId>`` / ``UPLOAD``: a pre-signed upload handed out, used
  at most once to start an import
* ``T#<t>#CONNECTOR`` / ``BULKSLOT``: the import the tenant's worker is applying
  (``statusId``, ``leaseUntil``); absent when none is
"""

from __future__ import annotations

from typing import Any

from cscore.platform.connector_table import get_item, put_item, update_item
from cscore.platform.dynamo import Item, key, to_attr


def job_key(tenant_id: str, job_id: str) -> Item:
    return key(f"T#{tenant_id}#CONNECTOR", f"BULKJOB#{job_id}")


def import_key(tenant_id: str, status_id: str) -> Item:
    return key(f"T#{tenant_id}#BULKIMPORT#{status_id}", "STATUS")


def slot_key(tenant_id: str) -> Item:
    return key(f"T#{tenant_id}#CONNECTOR", "BULKSLOT")


def upload_key(tenant_id: str, upload_id: str) -> Item:
    return key(f"T#{tenant_id}#BULKUPLOAD#{upload_id}", "UPLOAD")


def put_job(tenant_id: str, job: dict[str, Any]) -> None:
    put_item(job_key(tenant_id, job["jobId"]), job)


def get_job(tenant_id: str, job_id: str) -> dict[str, Any] | None:
    return get_item(job_key(tenant_id, job_id))


def put_import(tenant_id: str, status: dict[str, Any]) -> None:
    put_item(import_key(tenant_id, status["statusId"]), status, ConditionExpression="attribute_not_exists(PK)")


def get_import(tenant_id: str, status_id: str) -> dict[str, Any] | None:
    return get_item(import_key(tenant_id, status_id))


def put_upload(tenant_id: str, upload: dict[str, Any]) -> None:
    put_item(upload_key(tenant_id, upload["uploadId"]), upload)


def use_upload(tenant_id: str, upload_id: str, status_id: str) -> bool:
    """Mark a pre-signed upload as started (once): False when unknown or already used."""
    return update_item(
        upload_key(tenant_id, upload_id),
        {"statusId": status_id},
        condition="attribute_exists(PK) AND attribute_not_exists(statusId)",
    )


def take_slot(tenant_id: str, status_id: str, now: float, until: float) -> bool:
    """Imports of one tenant are applied one at a time, each file whole: take the slot
    when it is free, already this import's, or its holder's lease ran out (a crash)."""
    return update_item(
        slot_key(tenant_id),
        {"statusId": status_id, "leaseUntil": until},
        condition="attribute_not_exists(statusId) OR statusId = :me OR leaseUntil < :now",
        values={":me": to_attr(status_id), ":now": to_attr(now)},
    )


def slot_holder(tenant_id: str) -> str | None:
    item = get_item(slot_key(tenant_id))
    return None if item is None or not item.get("statusId") else str(item["statusId"])


def release_slot(tenant_id: str, status_id: str) -> None:
    """Free the slot when this import ended (nothing to do when another has it)."""
    update_item(
        slot_key(tenant_id),
        {},
        ("statusId", "leaseUntil"),
        condition="statusId = :me",
        values={":me": to_attr(status_id)},
    )
