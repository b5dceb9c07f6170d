"""``make run``'s promises: data survives a restart, Ctrl-C stops cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.integration.stack import start_stack

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
