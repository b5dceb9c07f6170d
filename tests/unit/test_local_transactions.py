"""The local stack's TransactWriteItems (cslocal.moto_transactions): all or nothing, the
same answers as DynamoDB, at a cost that does not grow with the table."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import DynamoDBBackend

from cslocal import moto_transactions


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", moto_transactions.transact_write_items)
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def _key(pk: str) -> dict[str, dict[str, str]]:
    return {"PK": {"S": pk}, "SK": {"S": "x"}}


def _items(client) -> dict[str, dict[str, object]]:  # type: ignore[no-untyped-def]
    return {i["PK"]["S"]: i for i in client.scan(TableName="t")["Items"]}


def test_a_failed_condition_undoes_every_action_of_the_transaction(dynamodb) -> None:  # type: ignore[no-untyped-def]
    dynamodb.put_item(TableName="t", Item={**_key("kept"), "n": {"N": "1"}})
    dynamodb.put_item(TableName="t", Item={**_key("gone"), "n": {"N": "1"}})
    dynamodb.put_item(TableName="t", Item={**_key("check"), "n": {"N": "1"}})
    before = _items(dynamodb)
    actions = [
        {"Put": {"TableName": "t", "Item": {**_key("new"), "n": {"N": "5"}}}},
        {
            "Update": {
                "TableName": "t",
                "Key": _key("kept"),
                "UpdateExpression": "ADD n :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {"Delete": {"TableName": "t", "Key": _key("gone")}},
        {"ConditionCheck": {"TableName": "t", "Key": _key("absent"), "ConditionExpression": "attribute_exists(PK)"}},
    ]
    with pytest.raises(ClientError) as cancelled:
        dynamodb.transact_write_items(TransactItems=actions)
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert _items(dynamodb) == before

    actions[-1] = {"ConditionCheck": {"TableName": "t", "Key": _key("check"), "ConditionExpression": "n = :one"}}
    actions[-1]["ConditionCheck"]["ExpressionAttributeValues"] = {":one": {"N": "1"}}
    dynamodb.transact_write_items(TransactItems=actions)
    after = _items(dynamodb)
    assert set(after) == {"kept", "new", "check"}
    assert after["kept"]["n"] == {"N": "2"} and after["new"]["n"] == {"N": "5"}


def test_two_actions_on_one_item_and_more_than_100_actions_are_refused(dynamodb) -> None:  # type: ignore[no-untyped-def]
    twice = [{"Put": {"TableName": "t", "Item": _key("a")}}, {"Delete": {"TableName": "t", "Key": _key("a")}}]
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=twice)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert _items(dynamodb) == {}
    many = [{"Put": {"TableName": "t", "Item": _key(f"k{i}")}} for i in range(101)]
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=many)
    assert _items(dynamodb) == {}
