"""The records of one object that refer to one record of another (a company's team, a
user's companies: ``keys.related`` partitions of GSI2/GSI3), a page at a time, so a
reader bounded by what it may read (``objects.candidates``, team listings) stops
there instead of reading the whole partition first (``records.related`` reads it at
once)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cscore.platform import aws, config, keys
from cscore.platform.dynamo import from_item
from cscore.platform.records import record_of


def pages(tenant_id: str, obj: str, via: str, gsid: str, index: str, page: int) -> Iterator[list[dict[str, Any]]]:
    """The records of ``obj`` that refer to the ``via`` record ``gsid``: a Query of at
    most ``page`` items per page of ``index``'s partition; a caller that stops early
    reads no further page."""
    client = aws.dynamodb()
    kwargs: dict[str, Any] = {
        "TableName": config.tenant_table(),
        "IndexName": index,
        "KeyConditionExpression": f"{index}PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.related(tenant_id, obj, via, gsid)}},
        "Limit": page,
    }
    while True:
        out = client.query(**kwargs)
        yield [record_of(from_item(item)) for item in out["Items"]]
        if "LastEvaluatedKey" not in out:
            return
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
