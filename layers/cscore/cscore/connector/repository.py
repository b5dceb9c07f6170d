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

from typing import Any

from botocore.exceptions import ClientError

from cscore.platform import aws, config
from cscore.platform.dynamo import Item, from_item, key, to_item
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


def _get(item_key: Item) -> dict[str, Any] | None:
    out = aws.dynamodb().get_item(TableName=config.connector_table(), Key=item_key, ConsistentRead=True)
    return record_of(from_item(out["Item"])) if "Item" in out else None


def _put(item_key: Item, record: dict[str, Any], **extra: Any) -> None:
    aws.dynamodb().put_item(TableName=config.connector_table(), Item={**to_item(record), **item_key}, **extra)


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
    return _get(connection_key(tenant_id, connection_id))


def list_connections(tenant_id: str) -> list[dict[str, Any]]:
    return _query_prefix(_partition(tenant_id), "CONN#")


def put_connection(tenant_id: str, connection: dict[str, Any]) -> None:
    _put(connection_key(tenant_id, connection["connectionId"]), connection)


# ---------------------------------------------------------------- tokens (ciphertext only)
def get_token_item(tenant_id: str, connection_id: str) -> dict[str, Any] | None:
    return _get(tokens_key(tenant_id, connection_id))


def put_token_item(tenant_id: str, connection_id: str, item: dict[str, Any]) -> None:
    _put(tokens_key(tenant_id, connection_id), item)


def delete_token_item(tenant_id: str, connection_id: str) -> None:
    aws.dynamodb().delete_item(TableName=config.connector_table(), Key=tokens_key(tenant_id, connection_id))


# ---------------------------------------------------------------- OAuth states
def put_state(state_digest: str, pending: dict[str, Any]) -> None:
    _put(state_key(state_digest), pending)


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
    return _get(job_key(tenant_id, job_id))


def put_job(tenant_id: str, job: dict[str, Any]) -> None:
    _put(job_key(tenant_id, job["jobId"]), job)


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
    _put({**run_key(tenant_id, run["runId"]), **gsi}, run)


def get_run(tenant_id: str, run_id: str) -> dict[str, Any] | None:
    return _get(run_key(tenant_id, run_id))


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
