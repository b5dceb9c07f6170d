"""The embedded AWS keeps its state as state (cslocal.persistence): every write is in the
state file before it is answered, and a new server loads exactly what the old one held."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.moto_api._internal.models import moto_api_backend

from cslocal.aws_server import LocalAwsServer
from cslocal.persistence import OldJournalError
from cslocal.persistence.store import STATE_FILE

Servers = Callable[[], LocalAwsServer]


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Servers]:
    """Each call: the previous server stopped, moto's memory emptied (as a new process
    would have it), a new server on the same state directory."""
    running: list[LocalAwsServer] = []

    def restart() -> LocalAwsServer:
        for server in running:
            server.stop()
            assert server.state is not None
            server.state.close()
        running.clear()
        moto_api_backend.reset()
        running.append(LocalAwsServer(0, tmp_path).start())
        return running[0]

    yield restart
    for server in running:
        server.stop()
    moto_api_backend.reset()


def _client(server: LocalAwsServer, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _table(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
            {"AttributeName": "email", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byEmail",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            },
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _item(pk: str, sk: str, **more: Any) -> dict[str, Any]:
    return {"PK": {"S": pk}, "SK": {"S": sk}, **more}


def _scan(dynamodb: Any) -> list[dict[str, Any]]:
    items = dynamodb.scan(TableName="t")["Items"]
    return sorted(items, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))


def test_every_dynamodb_write_survives_a_restart_and_queries_answer_the_same(servers: Servers) -> None:
    dynamodb = _client(servers(), "dynamodb")
    _table(dynamodb)
    blob = {"B": b"\x00\x01binary"}
    dynamodb.put_item(TableName="t", Item=_item("a", "1", email={"S": "x@y.z"}, data=blob, n={"N": "1"}))
    dynamodb.put_item(TableName="t", Item=_item("a", "2", nested={"M": {"l": {"L": [{"S": "v"}, {"N": "2"}]}}}))
    dynamodb.put_item(TableName="t", Item=_item("gone", "1"))
    dynamodb.update_item(
        TableName="t",
        Key=_item("a", "1"),
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    dynamodb.delete_item(TableName="t", Key=_item("gone", "1"))
    dynamodb.batch_write_item(
        RequestItems={"t": [{"PutRequest": {"Item": _item("b", str(i), email={"S": f"b{i}@y.z"})}} for i in range(20)]}
    )
    dynamodb.batch_write_item(RequestItems={"t": [{"DeleteRequest": {"Key": _item("b", "19")}}]})
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "t", "Item": _item("c", "1", email={"S": "c@y.z"})}},
            {"Delete": {"TableName": "t", "Key": _item("b", "18")}},
            {"Update": {"TableName": "t", "Key": _item("a", "2"), "UpdateExpression": "SET s = :s",
                        "ExpressionAttributeValues": {":s": {"S": "set"}}}},
        ]
    )  # fmt: skip
    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "t", "Item": _item("never", "1")}},
                {"Put": {"TableName": "t", "Item": _item("c", "1"), "ConditionExpression": "attribute_not_exists(PK)"}},
            ]
        )
    before = _scan(dynamodb)
    assert len(before) == 21

    dynamodb = _client(servers(), "dynamodb")
    assert _scan(dynamodb) == before
    by_email = dynamodb.query(
        TableName="t", IndexName="byEmail", KeyConditionExpression="email = :e",
        ExpressionAttributeValues={":e": {"S": "b7@y.z"}},
    )["Items"]  # fmt: skip
    assert [i["SK"]["S"] for i in by_email] == ["7"]
    ranged = dynamodb.query(
        TableName="t", KeyConditionExpression="PK = :p AND SK BETWEEN :lo AND :hi",
        ExpressionAttributeValues={":p": {"S": "b"}, ":lo": {"S": "10"}, ":hi": {"S": "13"}},
    )["Items"]  # fmt: skip
    assert [i["SK"]["S"] for i in ranged] == ["10", "11", "12", "13"]
    first = dynamodb.get_item(TableName="t", Key=_item("a", "1"))["Item"]
    assert first["n"] == {"N": "2"} and first["data"] == blob
    # The loaded items are moto's own: writes and conditions work on them as before.
    dynamodb.update_item(
        TableName="t",
        Key=_item("a", "1"),
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        dynamodb.put_item(TableName="t", Item=_item("c", "1"), ConditionExpression="attribute_not_exists(PK)")
    assert dynamodb.get_item(TableName="t", Key=_item("a", "1"))["Item"]["n"] == {"N": "3"}


def test_a_deleted_message_does_not_come_back_and_an_unacknowledged_one_does(servers: Servers) -> None:
    sqs = _client(servers(), "sqs")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    url = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "600", "RedrivePolicy": redrive})["QueueUrl"]
    sqs.send_message(
        QueueUrl=url, MessageBody="done", MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}}
    )
    sqs.send_message(
        QueueUrl=url, MessageBody="in flight", MessageAttributes={"k": {"DataType": "String", "StringValue": "w"}}
    )
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])["Messages"]
    assert len(received) == 2
    done = next(m for m in received if m["Body"] == "done")
    sqs.delete_message(QueueUrl=url, ReceiptHandle=done["ReceiptHandle"])

    sqs = _client(servers(), "sqs")
    url = sqs.get_queue_url(QueueName="q")["QueueUrl"]
    again = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
    )["Messages"]
    assert [m["Body"] for m in again] == ["in flight"]  # visible again at once, as after its timeout
    assert again[0]["MessageAttributes"]["k"]["StringValue"] == "w"
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    # Its dead-letter queue is linked again: past maxReceiveCount the message moves there.
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again[0]["ReceiptHandle"], VisibilityTimeout=0)
    assert sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []) == []
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=dlq)["Messages"]] == ["in flight"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
        "VisibilityTimeout": "600"
    }


def test_s3_objects_survive_with_their_metadata_and_deleted_ones_do_not(servers: Servers) -> None:
    s3 = _client(servers(), "s3")
    s3.create_bucket(Bucket="state-bucket")
    s3.put_object(
        Bucket="state-bucket", Key="kept/a.csv", Body=b"a,b\n1,2\n", ContentType="text/csv", Metadata={"who": "me"}
    )
    s3.put_object(Bucket="state-bucket", Key="gone", Body=b"x")
    s3.delete_object(Bucket="state-bucket", Key="gone")
    big = bytes(range(256)) * 40_000  # 10 MB: beyond moto's in-memory buffer
    s3.put_object(Bucket="state-bucket", Key="big", Body=big)

    s3 = _client(servers(), "s3")
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket="state-bucket")["Contents"]) == ["big", "kept/a.csv"]
    kept = s3.get_object(Bucket="state-bucket", Key="kept/a.csv")
    assert kept["Body"].read() == b"a,b\n1,2\n"
    assert kept["ContentType"] == "text/csv" and kept["Metadata"] == {"who": "me"}
    assert s3.get_object(Bucket="state-bucket", Key="big")["Body"].read() == big


def test_kms_ciphertext_and_secrets_survive(servers: Servers) -> None:
    server = servers()
    kms, secrets = _client(server, "kms"), _client(server, "secretsmanager")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName="alias/tokens", TargetKeyId=key_id)
    ciphertext = kms.encrypt(KeyId="alias/tokens", Plaintext=b"refresh token")["CiphertextBlob"]
    secrets.create_secret(Name="app", SecretString="first")
    secrets.put_secret_value(SecretId="app", SecretString="second")

    server = servers()
    kms, secrets = _client(server, "kms"), _client(server, "secretsmanager")
    assert kms.decrypt(CiphertextBlob=ciphertext)["Plaintext"] == b"refresh token"
    assert kms.describe_key(KeyId="alias/tokens")["KeyMetadata"]["KeyId"] == key_id
    assert secrets.get_secret_value(SecretId="app")["SecretString"] == "second"
    assert secrets.get_secret_value(SecretId="app", VersionStage="AWSPREVIOUS")["SecretString"] == "first"


def test_the_state_file_is_readable_by_its_owner_only(servers: Servers, tmp_path: Path) -> None:
    _client(servers(), "secretsmanager").create_secret(Name="app", SecretString="secret")
    for path in tmp_path.glob(f"{STATE_FILE}*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_old_request_journal_is_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "aws-journal.jsonl").write_text("{}\n")
    with pytest.raises(OldJournalError, match="make reset"):
        LocalAwsServer(0, tmp_path)
