"""Connector table items of the Bulk API (docs/data-model.md):

* ``T#<t>#CONNECTOR`` / ``BULKJOB#<jobId>``: a bulk job definition
* ``T#<t>#BULKIMPORT#<statusId>`` / ``STATUS``: one import of a file: its status,
  counts, and the checkpoint of the worker (byte offset, row number, lease); GSI1
  ``T#<t>#BULKJOB#<jobId>#IMPORTS`` / ``<statusId>`` lists a job's imports (GSIDs grow
  with time, so the index keeps them in creation order)
* ``T#<t>#BULKUPLOAD#<uploadId>`` / ``UPLOAD``: a pre-signed upload handed out, used
  at most once to start an import
* ``T#<t>#CONNECTOR`` / ``BULKSLOT``: the import the tenant's worker is applying
  (``statusId``, ``leaseUntil``); absent when none is
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from cscore.platform import aws, config
from cscore.platform.connector_table import get_item, put_item, update_item
from cscore.platform.dynamo import Item, from_item, key, to_attr
from cscore.platform.records import record_of

JOB_PREFIX = "BULKJOB#"


def job_key(tenant_id: str, job_id: str) -> Item:
    return key(f"T#{tenant_id}#CONNECTOR", f"{JOB_PREFIX}{job_id}")


def imports_of_job(tenant_id: str, job_id: str) -> str:
    return f"T#{tenant_id}#BULKJOB#{job_id}#IMPORTS"


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


def _page(args: dict[str, Any], skip: int, take: int) -> tuple[list[dict[str, Any]], bool]:
    """Items ``skip`` to ``skip + take`` of a Query, and whether more follow; reads at most
    ``skip + take + 1`` items."""
    items: list[dict[str, Any]] = []
    while True:
        out = aws.dynamodb().query(**args, Limit=skip + take + 1 - len(items))
        items.extend(out["Items"])
        if len(items) > skip + take or "LastEvaluatedKey" not in out:
            break
        args = {**args, "ExclusiveStartKey": out["LastEvaluatedKey"]}
    rows = [record_of(from_item(i)) for i in items[skip : skip + take]]
    return rows, len(items) > skip + take


def list_jobs(tenant_id: str, skip: int, take: int) -> tuple[list[dict[str, Any]], bool]:
    """A page of the tenant's bulk jobs, oldest first (their SK order)."""
    args = {
        "TableName": config.connector_table(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :sk)",
        "ExpressionAttributeValues": {":pk": {"S": f"T#{tenant_id}#CONNECTOR"}, ":sk": {"S": JOB_PREFIX}},
        "ConsistentRead": True,
    }
    return _page(args, skip, take)


def delete_job(tenant_id: str, job_id: str) -> bool:
    """Delete a job definition; False when it was not there."""
    try:
        aws.dynamodb().delete_item(
            TableName=config.connector_table(),
            Key=job_key(tenant_id, job_id),
            ConditionExpression="attribute_exists(PK)",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def put_import(tenant_id: str, status: dict[str, Any]) -> None:
    by_job = {"GSI1PK": {"S": imports_of_job(tenant_id, status["jobId"])}, "GSI1SK": {"S": status["statusId"]}}
    put_item(
        {**import_key(tenant_id, status["statusId"]), **by_job}, status, ConditionExpression="attribute_not_exists(PK)"
    )


def list_imports(tenant_id: str, job_id: str, skip: int, take: int) -> tuple[list[dict[str, Any]], bool]:
    """A page of one job's imports, newest first: only that job's index partition is read."""
    args = {
        "TableName": config.connector_table(),
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": imports_of_job(tenant_id, job_id)}},
        "ScanIndexForward": False,
    }
    return _page(args, skip, take)


def running_imports(tenant_id: str, job_id: str) -> list[str]:
    """The statusIds of the job's imports that have not ended (INIT or IN_PROGRESS)."""
    args: dict[str, Any] = {
        "TableName": config.connector_table(),
        "IndexName": "GSI1",
        "KeyConditionExpression": "GSI1PK = :pk",
        "FilterExpression": "#status IN (:init, :running)",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {
            ":pk": {"S": imports_of_job(tenant_id, job_id)},
            ":init": {"S": "INIT"},
            ":running": {"S": "IN_PROGRESS"},
        },
        "ProjectionExpression": "statusId",
    }
    found: list[str] = []
    while True:
        out = aws.dynamodb().query(**args)
        found.extend(str(from_item(i)["statusId"]) for i in out["Items"])
        if "LastEvaluatedKey" not in out:
            return found
        args["ExclusiveStartKey"] = out["LastEvaluatedKey"]


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
