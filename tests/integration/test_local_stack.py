"""``make run``'s promises: data survives a restart, Ctrl-C stops cleanly."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.integration.stack import LocalStack, start_stack

pytestmark = pytest.mark.integration


def test_data_survives_a_restart(tmp_path: Path) -> None:
    first = start_stack(tmp_path)
    try:
        created = first.csadmin("tenant", "create", "--name", "Durable")
        assert (
            requests.get(f"{first.api}/v1/tenant", headers={"accesskey": created["accessKey"]}, timeout=10).status_code
            == 200
        )
    finally:
        assert first.stop() == 0

    second = start_stack(tmp_path)
    try:
        assert second.info["tenantId"] == first.info["tenantId"]  # the demo tenant is reused
        response = requests.get(f"{second.api}/v1/tenant", headers={"accesskey": created["accessKey"]}, timeout=10)
        assert response.status_code == 200
        assert response.json()["data"]["rateLimits"]["standard"]["day"]["used"] == 2  # counters survived too
    finally:
        assert second.stop() == 0


def test_an_existing_aws_endpoint_is_used_instead_of_its_own(tmp_path: Path) -> None:
    """With AWS_ENDPOINT_URL set, the stack starts no AWS of its own and keeps its data there."""
    import boto3

    from cslocal.aws_server import LocalAwsServer

    external = LocalAwsServer().start()
    try:
        running = start_stack(tmp_path, "--no-persist", aws_endpoint=external.url)
        try:
            assert running.info["awsEndpointUrl"] == external.url
            response = requests.get(
                f"{running.api}/v1/tenant", headers={"accesskey": running.info["accessKey"]}, timeout=10
            )
            assert response.status_code == 200
            dynamodb = boto3.client("dynamodb", endpoint_url=external.url, region_name="us-east-1")
            tenant = dynamodb.get_item(
                TableName=running.info["tables"]["TenantTable"],
                Key={"PK": {"S": f"T#{running.info['tenantId']}"}, "SK": {"S": "TENANT"}},
            )
            assert tenant["Item"]["name"] == {"S": "Demo Tenant"}
        finally:
            assert running.stop() == 0
    finally:
        external.stop()


def test_an_unreachable_database_is_a_500_envelope_without_internals(tmp_path: Path) -> None:
    """A real fault, not a mock: the stack's AWS endpoint goes away under it."""
    from cslocal.aws_server import LocalAwsServer

    external = LocalAwsServer().start()
    running = start_stack(tmp_path, "--no-persist", aws_endpoint=external.url)
    try:
        external.stop()
        response = requests.get(
            f"{running.api}/v1/tenant", headers={"accesskey": running.info["accessKey"]}, timeout=60
        )
        assert response.status_code == 500
        body = response.json()
        assert (body["result"], body["errorCode"], body["errorDesc"]) == (
            False,
            "GU_1101",
            "Oops! Something went wrong.",
        )
        assert body["requestId"] == response.headers["X-Request-Id"]
        assert "Traceback" not in response.text and "botocore" not in response.text
    finally:
        assert running.stop() == 0


def test_a_retried_transaction_is_applied_once(stack: LocalStack) -> None:
    """DynamoDB's ClientRequestToken: botocore sends the same token with every retry of a
    call, so a retry after a read timeout must answer the first success, not apply (and
    here fail its own attribute_not_exists) again."""
    dynamodb = stack.client("dynamodb")
    table = stack.info["tables"]["TenantTable"]
    key = f"LOCAL#{uuid.uuid4()}"

    def put(value: str) -> dict[str, Any]:
        item = {"PK": {"S": key}, "SK": {"S": "ONCE"}, "v": {"S": value}}
        return {"Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}

    token = uuid.uuid4().hex
    dynamodb.transact_write_items(TransactItems=[put("first")], ClientRequestToken=token)
    dynamodb.transact_write_items(TransactItems=[put("first")], ClientRequestToken=token)  # the retry: success
    with pytest.raises(ClientError) as mismatch:
        dynamodb.transact_write_items(TransactItems=[put("other")], ClientRequestToken=token)
    assert mismatch.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    with pytest.raises(ClientError) as again:  # a new call (new token) is applied, and refused
        dynamodb.transact_write_items(TransactItems=[put("first")], ClientRequestToken=uuid.uuid4().hex)
    assert again.value.response["Error"]["Code"] == "TransactionCanceledException"
    stored = dynamodb.get_item(TableName=table, Key={"PK": {"S": key}, "SK": {"S": "ONCE"}})["Item"]
    assert stored["v"]["S"] == "first"
