"""Reading the records of one object type of a tenant (User, Company, ...): by GSID in
batches, a page in index order, all of them, and the counter. Shared by every listing
and query, so they all use the same indexes the same way (docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from cscore.platform import aws, config, keys, table
from cscore.platform.dynamo import from_item

# The order each GSI keeps (an unfiltered list in that order reads only its page).
INDEX_ORDER = {"ModifiedDate": "GSI1", "Name": "GSI2"}


def record_of(item: dict[str, Any]) -> dict[str, Any]:
    """A stored item as a record: its storage keys removed."""
    return {k: v for k, v in item.items() if k not in keys.STORAGE_ATTRIBUTES}


def by_gsids(tenant_id: str, obj: str, gsids: list[str]) -> dict[str, dict[str, Any]]:
    """Records by GSID (missing ones left out), 100 a call, strongly consistent."""
    unique = list(dict.fromkeys(gsids))
    found = table.read_many([keys.record(tenant_id, obj, g) for g in unique])
    return {g: record_of(item) for g, item in zip(unique, found, strict=True) if item is not None}


def first_in_order(tenant_id: str, obj: str, field: str, descending: bool, count: int) -> list[dict[str, Any]]:
    """The first ``count`` records in the order of ``field`` (a key of INDEX_ORDER),
    reading no more items than that."""
    index = INDEX_ORDER[field]
    client = aws.dynamodb()
    records: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "TableName": config.tenant_table(),
        "IndexName": index,
        "KeyConditionExpression": f"{index}PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.object_index(tenant_id, obj)}},
        "ScanIndexForward": not descending,
    }
    while len(records) < count:
        out = client.query(**kwargs, Limit=count - len(records))
        records.extend(record_of(from_item(i)) for i in out["Items"])
        if "LastEvaluatedKey" not in out:
            break
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    return records


def all_of(tenant_id: str, obj: str) -> list[dict[str, Any]]:
    """Every record of the object (a Query of its GSI1 partition, page by page)."""
    items = table.query_all(
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.object_index(tenant_id, obj)}},
    )
    return [record_of(i) for i in items]


def count(tenant_id: str, obj: str) -> int:
    item = table.read_one(keys.counter(tenant_id, obj))
    return int((item or {}).get("total", 0))
