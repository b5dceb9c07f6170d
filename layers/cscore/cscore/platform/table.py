"""Generic access to the tenant table: batched strongly consistent reads, transactions,
defaults set where an item has no value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from cscore.platform import aws, config, parallel
from cscore.platform.dynamo import Item, from_item, to_attr

BATCH_GET_LIMIT = 100


class TransactionCancelled(Exception):
    """A condition of a transaction failed; nothing was written."""


def read_many(item_keys: list[Item], fields: Sequence[str] = ()) -> list[dict[str, Any] | None]:
    """Strongly consistent read of tenant-table items, 100 keys a call (several calls at
    once), in key order; with ``fields``, only those attributes (and the keys) of each item."""
    table = config.tenant_table()
    client = aws.dynamodb()
    request: dict[str, Any] = {"ConsistentRead": True}
    if fields:
        names = {f"#f{i}": name for i, name in enumerate(("PK", "SK", *fields))}
        request |= {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}

    def read(batch: list[Item]) -> list[dict[str, Any]]:
        raws: list[dict[str, Any]] = []
        pending: dict[str, Any] = {table: {"Keys": batch, **request}}
        while pending:
            out = client.batch_get_item(RequestItems=pending)
            raws += out["Responses"].get(table, [])
            pending = out.get("UnprocessedKeys") or {}
        return raws

    batches = [item_keys[start : start + BATCH_GET_LIMIT] for start in range(0, len(item_keys), BATCH_GET_LIMIT)]
    found = {(raw["PK"]["S"], raw["SK"]["S"]): from_item(raw) for raws in parallel.each(read, batches) for raw in raws}
    return [found.get((k["PK"]["S"], k["SK"]["S"])) for k in item_keys]


def read_one(item_key: Item) -> dict[str, Any] | None:
    out = aws.dynamodb().get_item(TableName=config.tenant_table(), Key=item_key, ConsistentRead=True)
    return from_item(out["Item"]) if "Item" in out else None


def delete(item_key: Item) -> bool:
    """Delete one item; False when it was not there."""
    out = aws.dynamodb().delete_item(TableName=config.tenant_table(), Key=item_key, ReturnValues="ALL_OLD")
    return bool(out.get("Attributes"))


def transact(actions: list[dict[str, Any]]) -> None:
    """TransactWriteItems on the tenant table (each action names its table itself)."""
    try:
        aws.dynamodb().transact_write_items(TransactItems=actions)  # type: ignore[arg-type]
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "TransactionCanceledException":
            raise TransactionCancelled(str(exc)) from exc
        raise


def query_all(**kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a Query on the tenant table (admin and small listings only)."""
    client = aws.dynamodb()
    items: list[dict[str, Any]] = []
    kwargs = {"TableName": config.tenant_table(), **kwargs}
    while True:
        out = client.query(**kwargs)
        items.extend(from_item(i) for i in out["Items"])
        if "LastEvaluatedKey" not in out:
            return items
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]


def set_missing(item_key: Item, defaults_by_path: dict[tuple[str, ...], Any]) -> None:
    """SET each attribute path of an existing item to its default unless it has a value.
    Nested maps are created level by level by the caller (DynamoDB cannot SET a path
    whose parent is missing)."""
    names: dict[str, str] = {}
    clauses = []
    values = {}
    for i, (path, default) in enumerate(defaults_by_path.items()):
        placeholders = []
        for part in path:
            placeholder = next((k for k, v in names.items() if v == part), f"#n{len(names)}")
            names[placeholder] = part
            placeholders.append(placeholder)
        attribute = ".".join(placeholders)
        clauses.append(f"{attribute} = if_not_exists({attribute}, :v{i})")
        values[f":v{i}"] = to_attr(default)
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=item_key,
        UpdateExpression="SET " + ", ".join(clauses),
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )
