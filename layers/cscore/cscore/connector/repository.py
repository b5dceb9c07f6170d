"""Connector table access: connections, their tokens, OAuth states, jobs and runs.

Every item of a tenant lives under ``T#<tenantId>#...`` (docs/data-model.md):

* ``T#<t>#CONNECTOR`` / ``SLOT#SALESFORCE``: the one-connection-per-tenant guard
* ``T#<t>#CONNECTOR`` / ``CONN#<id>``: a connection (its view, no secrets)
* ``T#<t>#CONNECTOR`` / ``TOKENS#<id>``: the connection's tokens, KMS-encrypted
* ``T#<t>#CONNECTOR`` / ``JOB#<id>``: a job definition
* ``T#<t>#RUN#<id>`` / ``RUN``: a run (GSI1: ``T#<t>#JOB#<jobId>#RUNS`` by start time)
* ``OAUTHSTATE#<sha256(state)>`` / ``STATE``: a pending authorization (the callback
  has no tenant to start from; the state is stored only as a hash)
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from cscore.platform import aws, config
from cscore.platform.connector_table import get_item, put_item, update_item
from cscore.platform.dynamo import Item, from_item, key, to_attr, to_item
from cscore.platform.records import record_of
from cscore.platform.table import TransactionCancelled

SLOT_SK = "SLOT#SALESFORCE"


def _partition(tenant_id: str) -> str:
    return f"T#{tenant_id}#CONNECTOR"


def connection_key(tenant_id: str, connection_id: str) -> Item:
    return key(_partition(tenant_id), f"CONN#{connection_id}")


def tokens_key(tenant_id: str, connection_id: str) -> Item:
    return key(_partition(tenant_id), f"TOKENS#{connection_id}")


def job_key(tenant_id: str, job_id: str) -> Item:
    return key(_partition(tenant_id), f"JOB#{job_id}")


def run_key(tenant_id: str, run_id: str) -> Item:
    return key(f"T#{tenant_id}#RUN#{run_id}", "RUN")


def runs_of_job(tenant_id: str, job_id: str) -> str:
    return f"T#{tenant_id}#JOB#{job_id}#RUNS"


def state_key(state_digest: str) -> Item:
    return key(f"OAUTHSTATE#{state_digest}", "STATE")


def _query_prefix(pk: str, sk_prefix: str) -> list[dict[str, Any]]:
    client = aws.dynamodb()
    args: dict[str, Any] = {
        "TableName": config.connector_table(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :sk)",
        "ExpressionAttributeValues": {":pk": {"S": pk}, ":sk": {"S": sk_prefix}},
        "ConsistentRead": True,
    }
    items: list[dict[str, Any]] = []
    while True:
        out = client.query(**args)
        items.extend(record_of(from_item(i)) for i in out["Items"])
        if "LastEvaluatedKey" not in out:
            return items
        args["ExclusiveStartKey"] = out["LastEvaluatedKey"]


# ---------------------------------------------------------------- connections
def insert_connection(tenant_id: str, connection: dict[str, Any]) -> None:
    """Write a connection and claim the tenant's one Salesforce slot, atomically."""
    table = config.connector_table()
    slot = {**key(_partition(tenant_id), SLOT_SK), **to_item({"connectionId": connection["connectionId"]})}
    try:
        aws.dynamodb().transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": slot, "ConditionExpression": "attribute_not_exists(PK)"}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": {**to_item(connection), **connection_key(tenant_id, connection["connectionId"])},
                    }
                },
            ]
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise TransactionCancelled("the tenant already has a Salesforce connection") from None
        raise


def get_connection(tenant_id: str, connection_id: str) -> dict[str, Any] | None:
    return get_item(connection_key(tenant_id, connection_id))


def list_connections(tenant_id: str) -> list[dict[str, Any]]:
    return _query_prefix(_partition(tenant_id), "CONN#")


def put_connection(tenant_id: str, connection: dict[str, Any]) -> None:
    put_item(connection_key(tenant_id, connection["connectionId"]), connection)


# ---------------------------------------------------------------- tokens (ciphertext only)
def get_token_item(tenant_id: str, connection_id: str) -> dict[str, Any] | None:
    return get_item(tokens_key(tenant_id, connection_id))


def put_token_item(tenant_id: str, connection_id: str, item: dict[str, Any]) -> None:
    put_item(tokens_key(tenant_id, connection_id), item)


def delete_token_item(tenant_id: str, connection_id: str) -> None:
    aws.dynamodb().delete_item(TableName=config.connector_table(), Key=tokens_key(tenant_id, connection_id))


# ---------------------------------------------------------------- OAuth states
def put_state(state_digest: str, pending: dict[str, Any]) -> None:
    put_item(state_key(state_digest), pending)


def take_state(state_digest: str) -> dict[str, Any] | None:
    """Delete and return a pending authorization: a state can be used once, also
    when two callbacks race (only one delete returns the item)."""
    out = aws.dynamodb().delete_item(
        TableName=config.connector_table(), Key=state_key(state_digest), ReturnValues="ALL_OLD"
    )
    attributes = out.get("Attributes")
    return record_of(from_item(attributes)) if attributes else None


# ---------------------------------------------------------------- jobs
def list_jobs(tenant_id: str) -> list[dict[str, Any]]:
    return _query_prefix(_partition(tenant_id), "JOB#")


def get_job(tenant_id: str, job_id: str) -> dict[str, Any] | None:
    return get_item(job_key(tenant_id, job_id))


def put_job(tenant_id: str, job: dict[str, Any]) -> None:
    put_item(job_key(tenant_id, job["jobId"]), job)


def put_jobs(tenant_id: str, jobs: list[dict[str, Any]]) -> None:
    """Several jobs in one BatchWriteItem (a connection has a handful)."""
    table = config.connector_table()
    for start in range(0, len(jobs), 25):
        pending: dict[str, Any] = {
            table: [
                {"PutRequest": {"Item": {**to_item(job), **job_key(tenant_id, job["jobId"])}}}
                for job in jobs[start : start + 25]
            ]
        }
        while pending:
            pending = aws.dynamodb().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


# ---------------------------------------------------------------- runs
def put_run(tenant_id: str, run: dict[str, Any]) -> None:
    gsi = {
        "GSI1PK": {"S": runs_of_job(tenant_id, run["jobId"])},
        "GSI1SK": {"S": f"{run['queuedAt']}#{run['runId']}"},
    }
    put_item({**run_key(tenant_id, run["runId"]), **gsi}, run)


def get_run(tenant_id: str, run_id: str) -> dict[str, Any] | None:
    return get_item(run_key(tenant_id, run_id))


def list_runs(tenant_id: str, job_id: str, limit: int) -> list[dict[str, Any]]:
    out = aws.dynamodb().query(
        TableName=config.connector_table(),
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": runs_of_job(tenant_id, job_id)}},
        ScanIndexForward=False,
        Limit=limit,
    )
    return [record_of(from_item(i)) for i in out["Items"]]


def delete_idle_custom_job(tenant_id: str, job_id: str, now: float) -> bool:
    """Delete a custom job unless a run holds its lock (taken after the caller looked);
    False when the job is gone, not custom, or running."""
    try:
        aws.dynamodb().delete_item(
            TableName=config.connector_table(),
            Key=job_key(tenant_id, job_id),
            ConditionExpression=(
                "attribute_exists(PK) AND jobType = :custom"
                " AND (attribute_not_exists(activeRunId) OR activeRunUntil < :now)"
            ),
            ExpressionAttributeValues={":custom": {"S": "CUSTOM"}, ":now": to_attr(now)},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def update_job_fields(tenant_id: str, job_id: str, set_fields: dict[str, Any], remove: tuple[str, ...] = ()) -> None:
    """Change some attributes of a job (never a whole-item put: a run holds its lock there)."""
    update_item(job_key(tenant_id, job_id), set_fields, remove)


def lock_job(tenant_id: str, job_id: str, run_id: str, now: float, hold_seconds: float) -> bool:
    """Claim the job for one run: one run per job at a time. A lock whose run stopped
    renewing it (a crashed invocation) is taken over after ``hold_seconds``."""
    return update_item(
        job_key(tenant_id, job_id),
        {"activeRunId": run_id, "activeRunUntil": now + hold_seconds},
        condition="attribute_exists(PK) AND (attribute_not_exists(activeRunId) OR activeRunUntil < :now)",
        values={":now": to_attr(now)},
    )


def renew_job_lock(tenant_id: str, job_id: str, run_id: str, until: float) -> bool:
    return update_item(
        job_key(tenant_id, job_id),
        {"activeRunUntil": until},
        condition="activeRunId = :run",
        values={":run": to_attr(run_id)},
    )


def unlock_job(tenant_id: str, job_id: str, run_id: str, set_fields: dict[str, Any]) -> bool:
    """Release the run's lock and record its outcome on the job, in one update."""
    return update_item(
        job_key(tenant_id, job_id),
        set_fields,
        ("activeRunId", "activeRunUntil"),
        condition="activeRunId = :run",
        values={":run": to_attr(run_id)},
    )


# ---------------------------------------------------------------- rows kept for retry, run errors
def _pending_pk(tenant_id: str, job_id: str) -> str:
    return f"T#{tenant_id}#JOB#{job_id}#PENDING"


def list_pending(tenant_id: str, job_id: str) -> list[dict[str, Any]]:
    return _query_prefix(_pending_pk(tenant_id, job_id), "ROW#")


def write_pending(tenant_id: str, job_id: str, keep: list[dict[str, Any]], drop: list[str]) -> None:
    """Rows rejected for a missing reference (kept: ``{sourceId, reason, ...}``) and rows
    that resolved or vanished (dropped by source id); BatchWriteItem, 25 a call."""
    pk = _pending_pk(tenant_id, job_id)
    requests: dict[str, dict[str, Any]] = {}
    for source_id in drop:
        requests[source_id] = {"DeleteRequest": {"Key": key(pk, f"ROW#{source_id}")}}
    for row in keep:
        requests[row["sourceId"]] = {"PutRequest": {"Item": {**to_item(row), **key(pk, f"ROW#{row['sourceId']}")}}}
    batch_write(list(requests.values()))


def delete_pending(tenant_id: str, job_id: str) -> None:
    """Drop every row a job kept for retry."""
    write_pending(tenant_id, job_id, [], [str(row["sourceId"]) for row in list_pending(tenant_id, job_id)])


def batch_write(requests: list[dict[str, Any]]) -> int:
    """BatchWriteItem on the connector table, 25 a call, unprocessed items retried; returns calls."""
    table = config.connector_table()
    calls = 0
    for start in range(0, len(requests), 25):
        pending: dict[str, Any] = {table: requests[start : start + 25]}
        attempt = 0
        while pending:
            calls += 1
            pending = aws.dynamodb().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if pending:
                attempt += 1
                time.sleep(min(0.05 * 2**attempt, 2.0))
    return calls


def put_run_part(tenant_id: str, run_id: str, part: str, record: dict[str, Any]) -> None:
    """A part of a run kept beside it (errors, deferred references), by name."""
    put_item(key(f"T#{tenant_id}#RUN#{run_id}", part), record)


def get_run_part(tenant_id: str, run_id: str, part: str) -> dict[str, Any] | None:
    return get_item(key(f"T#{tenant_id}#RUN#{run_id}", part))


def put_run_errors(tenant_id: str, run_id: str, sequence: int, rows: list[dict[str, Any]]) -> None:
    """One page of a run's rejected / errored rows (the errors CSV reads them in order)."""
    put_run_part(tenant_id, run_id, f"ERR#{sequence:06d}", {"rows": rows})


def list_run_errors(tenant_id: str, run_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for page in _query_prefix(f"T#{tenant_id}#RUN#{run_id}", "ERR#"):
        rows.extend(page.get("rows") or [])
    return rows
