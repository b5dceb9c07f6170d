"""Reading the records of one object type of a tenant (User, Company, ...): by GSID in
batches, by the values of their unique or lookup index items, by a prefix of a word of
their name (word items), a slice of an ordered index page by page, all of them in name
order or not, those that refer to one record of another object, and the counter.
Shared by every listing and query, so they all use the same indexes the same way (docs/data-model.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from cscore.platform import aws, config, keys, table
from cscore.platform.dynamo import from_item


def record_of(item: dict[str, Any]) -> dict[str, Any]:
    """A stored item as a record: its storage keys removed."""
    return {k: v for k, v in item.items() if k not in keys.STORAGE_ATTRIBUTES}


def by_gsids(tenant_id: str, obj: str, gsids: list[str]) -> dict[str, dict[str, Any]]:
    """Records by GSID (missing ones left out), 100 a call, strongly consistent."""
    unique = list(dict.fromkeys(gsids))
    found = table.read_many([keys.record(tenant_id, obj, g) for g in unique])
    return {g: record_of(item) for g, item in zip(unique, found, strict=True) if item is not None}


def index_pages(
    tenant_id: str,
    obj: str,
    index: str,
    page_size: Callable[[], int],
    *,
    descending: bool = False,
    lower: str | None = None,
    upper: str | None = None,
    prefix: str | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """The object's records in the order of ``index`` (GSI1: ModifiedDate, GSI2: Name),
    its sort key between ``lower`` and ``upper`` (inclusive, either open) or beginning
    with ``prefix``: a page per Query of at most ``page_size()`` items, asked again
    before each page; a caller that stops early reads no further page."""
    condition = f"{index}PK = :pk"
    values: dict[str, Any] = {":pk": {"S": keys.object_index(tenant_id, obj)}}
    if prefix is not None:
        condition += f" AND begins_with({index}SK, :prefix)"
        values[":prefix"] = {"S": prefix}
    elif lower is not None and upper is not None:
        condition += f" AND {index}SK BETWEEN :lower AND :upper"
        values |= {":lower": {"S": lower}, ":upper": {"S": upper}}
    elif lower is not None:
        condition += f" AND {index}SK >= :lower"
        values[":lower"] = {"S": lower}
    elif upper is not None:
        condition += f" AND {index}SK <= :upper"
        values[":upper"] = {"S": upper}
    client = aws.dynamodb()
    kwargs: dict[str, Any] = {
        "TableName": config.tenant_table(),
        "IndexName": index,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": values,
        "ScanIndexForward": not descending,
    }
    while True:
        out = client.query(**kwargs, Limit=page_size())
        yield [record_of(from_item(item)) for item in out["Items"]]
        if "LastEvaluatedKey" not in out:
            return
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]


def word_pages(tenant_id: str, obj: str, field: str, prefix: str) -> Iterator[list[dict[str, Any]]]:
    """The word items (``keys.word``: ``{"gsid", "nameKey"}``) of ``field`` whose text
    begins with ``prefix`` (lower-cased), in text order, a Query page at a time
    (strongly consistent: they are base table items); a caller that stops early reads no
    further page."""
    client = aws.dynamodb()
    kwargs: dict[str, Any] = {
        "TableName": config.tenant_table(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {
            ":pk": {"S": keys.word_partition(tenant_id, obj, field, prefix)},
            ":prefix": {"S": prefix},
        },
        "ProjectionExpression": "gsid, nameKey",
        "ConsistentRead": True,
    }
    while True:
        out = client.query(**kwargs)
        yield [from_item(item) for item in out["Items"]]
        if "LastEvaluatedKey" not in out:
            return
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]


def gsids_by_value(tenant_id: str, obj: str, field: str, values: Sequence[str], unique: bool) -> list[str]:
    """GSIDs of the records whose ``field`` has one of ``values`` (normalized as keys
    are), from the field's unique items (``{"gsid"}``) or lookup index items
    (``{"gsids"}``): the one reader of those items for queries, 100 a call."""
    item_keys = [
        keys.unique_value(tenant_id, obj, field, v) if unique else keys.lookup_index(tenant_id, obj, field, v)
        for v in values
    ]
    found: list[str] = []
    for item in table.read_many(item_keys, fields=("gsid",) if unique else ("gsids",)):
        if item is None:
            continue
        found += [str(item["gsid"])] if unique else sorted(str(g) for g in item.get("gsids") or [])
    return list(dict.fromkeys(found))


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
