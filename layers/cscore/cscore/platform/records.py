"""Reading the records of one object type of a tenant (User, Company, ...): by GSID in
batches, a page in index order, all of them in name order or not, those that refer to
one record of another object, and the counter. Shared by every listing
and query, so they all use the same indexes the same way (docs/data-model.md)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
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


def in_name_order(tenant_id: str, obj: str) -> Iterator[dict[str, Any]]:
    """The records of the object in Name order (its GSI2 partition), read a page at a
    time as the caller goes on: a search that stops early reads no further page."""
    client = aws.dynamodb()
    kwargs: dict[str, Any] = {
        "TableName": config.tenant_table(),
        "IndexName": "GSI2",
        "KeyConditionExpression": "GSI2PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.object_index(tenant_id, obj)}},
    }
    while True:
        out = client.query(**kwargs)
        yield from (record_of(from_item(item)) for item in out["Items"])
        if "LastEvaluatedKey" not in out:
            return
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]


def related(
    tenant_id: str, obj: str, via: str, gsid: str, index: str, fields: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The records of ``obj`` that refer to the ``via`` record ``gsid`` (``keys.related``):
    one Query of that partition of ``index`` (GSI2 or GSI3, as the object's shape puts
    it), only ``fields`` read when given."""
    projection: dict[str, Any] = {}
    if fields:
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        projection = {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    items = table.query_all(
        IndexName=index,
        KeyConditionExpression=f"{index}PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.related(tenant_id, obj, via, gsid)}},
        **projection,
    )
    return [record_of(i) for i in items]


def count(tenant_id: str, obj: str) -> int:
    item = table.read_one(keys.counter(tenant_id, obj))
    return int((item or {}).get("total", 0))
