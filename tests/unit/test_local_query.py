"""The local stack's Query and item answers (cslocal.moto_query) answer exactly what
unpatched moto answers: every page (items, counts, LastEvaluatedKey) of queries on the
table and on its indexes, in both directions, under each key condition, with filters,
projections and start keys, before and after writes that move items between partitions;
and the items of Scan, GetItem and BatchGetItem with every attribute type."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from cslocal import moto_query

TABLE = "t"
PARTITIONS = ("p0", "p1")


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": n, "AttributeType": t}
                for n, t in (("PK", "S"), ("SK", "S"), ("G1PK", "S"), ("G1SK", "S"), ("G2PK", "S"), ("G2SK", "N"))
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": name,
                    "KeySchema": [
                        {"AttributeName": f"{prefix}PK", "KeyType": "HASH"},
                        {"AttributeName": f"{prefix}SK", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
                for name, prefix in (("GSI1", "G1"), ("GSI2", "G2"))
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def _item(rng: random.Random, n: int) -> dict[str, Any]:
    """An item of one of a few partitions, its index keys often shared (ties broken by the
    table key), sometimes missing (not in that index), with attributes of every type."""
    item: dict[str, Any] = {
        "PK": {"S": rng.choice(PARTITIONS)},
        "SK": {"S": f"{rng.choice('abc')}{n:04d}"},
        "n": {"N": str(n)},
        "flag": {"BOOL": n % 2 == 0},
        # A few large items: some pages end at moto's 1 MB instead of the Limit.
        "pad": {"S": "x" * (120_000 if rng.random() < 0.1 else rng.randrange(1, 2000))},
        "map": {"M": {"k": {"S": f"v{n}"}}},
    }
    if n % 8 == 0:  # every attribute type (moto's serializer is slow: not on every item)
        item |= {
            "bin": {"B": bytes([n % 256, 7])},
            "nothing": {"NULL": True},
            "tags": {"SS": [f"t{n % 3}", "x"]},
            "nums": {"NS": ["1", str(n)]},
            "bins": {"BS": [b"a", bytes([n % 256])]},
            "list": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"b": {"B": b"z"}}}]},
            "map": {"M": {"k": {"S": f"v{n}"}, "deep": {"L": [{"BOOL": False}]}}},
        }
    if rng.random() < 0.9:
        item |= {"G1PK": {"S": rng.choice(PARTITIONS)}, "G1SK": {"S": f"{rng.choice(['a', 'ab', 'b', 'c'])}{n % 7}"}}
    if rng.random() < 0.8:
        item |= {"G2PK": {"S": rng.choice(PARTITIONS)}, "G2SK": {"N": str(rng.randrange(-5, 20))}}
    return item


def _queries() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for partition in PARTITIONS:
        for index, pk, sk, low, high, prefix in (
            (None, "PK", "SK", "a0050", "b0100", "b"),
            ("GSI1", "G1PK", "G1SK", "ab", "b3", "a"),
            ("GSI2", "G2PK", "G2SK", 3, 11, None),
        ):
            kind = "N" if sk == "G2SK" else "S"
            values = {":pk": {"S": partition}, ":low": {kind: str(low)}, ":high": {kind: str(high)}}
            conditions = [
                ("", {}),
                (f" AND {sk} = :low", {":low": values[":low"]}),
                (f" AND {sk} > :low", {":low": values[":low"]}),
                (f" AND {sk} >= :low", {":low": values[":low"]}),
                (f" AND {sk} < :high", {":high": values[":high"]}),
                (f" AND {sk} <= :high", {":high": values[":high"]}),
                (f" AND {sk} BETWEEN :low AND :high", {":low": values[":low"], ":high": values[":high"]}),
                (f" AND {sk} BETWEEN :high AND :low", {":low": values[":low"], ":high": values[":high"]}),
            ]
            if prefix is not None:
                conditions.append((f" AND begins_with({sk}, :prefix)", {":prefix": {"S": prefix}}))
            for condition, extra in conditions:
                for forward, limit in ((True, None), (False, None), (True, 9), (False, 9), (True, 1)):
                    query: dict[str, Any] = {
                        "TableName": TABLE,
                        "KeyConditionExpression": f"{pk} = :pk{condition}",
                        "ExpressionAttributeValues": {":pk": {"S": partition}, **extra},
                        "ScanIndexForward": forward,
                    }
                    if index is not None:
                        query["IndexName"] = index
                    if limit is not None:
                        query["Limit"] = limit
                    out.append(query)
            out.append(
                {
                    "TableName": TABLE,
                    **({"IndexName": index} if index else {}),
                    "KeyConditionExpression": f"{pk} = :pk",
                    "FilterExpression": "flag = :t",
                    "ProjectionExpression": "#n, bin, #m.k",
                    "ExpressionAttributeNames": {"#n": "n", "#m": "map"},
                    "ExpressionAttributeValues": {":pk": {"S": partition}, ":t": {"BOOL": True}},
                    "Limit": 5,
                }
            )
            out.append(
                {
                    "TableName": TABLE,
                    **({"IndexName": index} if index else {}),
                    "KeyConditionExpression": f"{pk} = :pk",
                    "ExpressionAttributeValues": {":pk": {"S": partition}},
                    "Select": "COUNT",
                }
            )
    return out


def _answers(client: Any, queries: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Every page of every query, following LastEvaluatedKey; then a start key taken from
    another partition's page (moto then decides alone), scans, gets and batch gets."""
    out = []
    for query in queries:
        pages, start = [], None
        while True:
            page = client.query(**query, **({"ExclusiveStartKey": start} if start else {}))
            page.pop("ResponseMetadata")
            pages.append(page)
            start = page.get("LastEvaluatedKey")
            if start is None or len(pages) > 400:
                break
        out.append(pages)
        if pages[0].get("LastEvaluatedKey") and query["ExpressionAttributeValues"][":pk"]["S"] == "p0":
            moved = {**query, "ExpressionAttributeValues": {**query["ExpressionAttributeValues"], ":pk": {"S": "p1"}}}
            try:
                other = client.query(**moved, ExclusiveStartKey=pages[0]["LastEvaluatedKey"])
                other.pop("ResponseMetadata")
            except client.exceptions.ClientError as error:
                other = {"error": error.response["Error"]["Code"]}
            out.append([other])
    scan = client.scan(TableName=TABLE)
    keys = sorted(({"PK": i["PK"], "SK": i["SK"]} for i in scan["Items"]), key=str)[:60]
    out.append([{"scan": sorted(map(str, scan["Items"]))}])
    out.append([client.get_item(TableName=TABLE, Key=k).get("Item", {}) for k in keys[:10]])
    got = client.batch_get_item(RequestItems={TABLE: {"Keys": keys[:50]}})["Responses"][TABLE]
    out.append([{"batch": sorted(map(str, got))}])
    return out


def _write_more(client: Any, rng: random.Random) -> None:
    """Writes of every kind that move items into, out of and between index partitions
    (UpdateItem, which changes an item in place, last)."""
    client.put_item(TableName=TABLE, Item=_item(rng, 5000))
    scan = client.scan(TableName=TABLE)["Items"]
    victims = rng.sample(scan, 12)
    for victim in victims[:3]:
        client.delete_item(TableName=TABLE, Key={"PK": victim["PK"], "SK": victim["SK"]})
    client.batch_write_item(
        RequestItems={
            TABLE: [{"PutRequest": {"Item": _item(rng, 6000 + i)}} for i in range(10)]
            + [{"DeleteRequest": {"Key": {"PK": v["PK"], "SK": v["SK"]}}} for v in victims[6:8]]
        }
    )
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": _item(rng, 7000)}},
            {
                "Update": {
                    "TableName": TABLE,
                    "Key": {"PK": victims[8]["PK"], "SK": victims[8]["SK"]},
                    "UpdateExpression": "SET G2PK = :p, G2SK = :s",
                    "ExpressionAttributeValues": {":p": {"S": "p0"}, ":s": {"N": "4"}},
                }
            },
            {"Delete": {"TableName": TABLE, "Key": {"PK": victims[9]["PK"], "SK": victims[9]["SK"]}}},
        ]
    )
    for index, pk in ((None, "PK"), ("GSI1", "G1PK"), ("GSI2", "G2PK")):  # partitions read again
        client.query(
            TableName=TABLE,
            **({"IndexName": index} if index else {}),
            KeyConditionExpression=f"{pk} = :pk",
            ExpressionAttributeValues={":pk": {"S": "p0"}},
        )
    for victim in victims[10:12]:  # a put over an existing item: same key, new index keys
        client.put_item(TableName=TABLE, Item={**_item(rng, 8000), "PK": victim["PK"], "SK": victim["SK"]})
    for victim in victims[3:6]:
        client.update_item(
            TableName=TABLE,
            Key={"PK": victim["PK"], "SK": victim["SK"]},
            UpdateExpression="SET G1PK = :p, G1SK = :s REMOVE G2PK",
            ExpressionAttributeValues={":p": {"S": "p1"}, ":s": {"S": "ab9"}},
        )


def test_answers_equal_unpatched_moto_before_and_after_writes(dynamodb: Any) -> None:
    rng = random.Random(1)
    for start in range(0, 100, 25):
        for n in range(start, start + 25):
            dynamodb.put_item(TableName=TABLE, Item=_item(rng, n))
    queries = _queries()
    plain = _answers(dynamodb, queries)
    with pytest.MonkeyPatch.context() as patch:
        for owner, name, function in moto_query.PATCHES:
            patch.setattr(owner, name, function)
        assert _answers(dynamodb, queries) == plain
        _write_more(dynamodb, rng)  # with the patch on: each write must drop what it built
        fast_after = _answers(dynamodb, queries)
    assert fast_after == _answers(dynamodb, queries)
    assert fast_after != plain  # the writes changed answers (so the comparison can fail)
