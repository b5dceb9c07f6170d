"""Items of the connector table (connections, jobs, runs, bulk imports): read, put, and
update some attributes under a condition. The table's key layout belongs to each package's
repository; these are the calls they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from cscore.platform import aws, config
from cscore.platform.dynamo import Item, from_item, to_attr, to_item
from cscore.platform.records import record_of


def get_item(item_key: Item) -> dict[str, Any] | None:
    out = aws.dynamodb().get_item(TableName=config.connector_table(), Key=item_key, ConsistentRead=True)
    return record_of(from_item(out["Item"])) if "Item" in out else None


def put_item(item_key: Item, record: dict[str, Any], **extra: Any) -> None:
    aws.dynamodb().put_item(TableName=config.connector_table(), Item={**to_item(record), **item_key}, **extra)


def update_item(
    item_key: Item,
    set_fields: dict[str, Any],
    remove: tuple[str, ...] = (),
    condition: str = "",
    also: Sequence[dict[str, Any]] = (),
    **kw: Any,
) -> bool:
    """SET / REMOVE attributes of one item; False when ``condition`` does not hold. With
    ``also`` (TransactWriteItems actions, e.g. a tenant counter's ADD), in one transaction
    with them: all are written or none."""
    names = {f"#s{i}": name for i, name in enumerate(set_fields)} | {f"#r{i}": name for i, name in enumerate(remove)}
    values = {f":s{i}": to_attr(value) for i, value in enumerate(set_fields.values())} | kw.pop("values", {})
    clauses = []
    if set_fields:
        clauses.append("SET " + ", ".join(f"#s{i} = :s{i}" for i in range(len(set_fields))))
    if remove:
        clauses.append("REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove))))
    args: dict[str, Any] = {
        "TableName": config.connector_table(),
        "Key": item_key,
        "UpdateExpression": " ".join(clauses),
        "ExpressionAttributeNames": names | kw.pop("names", {}),
        "ConditionExpression": condition or "attribute_exists(PK)",
    }
    if values:
        args["ExpressionAttributeValues"] = values
    try:
        if also:
            aws.dynamodb().transact_write_items(TransactItems=[{"Update": args}, *also])  # type: ignore[typeddict-item,list-item]
        else:
            aws.dynamodb().update_item(**args)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code == "ConditionalCheckFailedException":
            return False
        reasons = exc.response.get("CancellationReasons") or [{}]
        if code == "TransactionCanceledException" and reasons[0].get("Code") == "ConditionalCheckFailed":
            return False
        raise
    return True
