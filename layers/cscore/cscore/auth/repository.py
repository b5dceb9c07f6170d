"""Credential items: access keys, OAuth clients, Bearer tokens (see docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from cscore.platform import aws, config, keys, table
from cscore.platform.dynamo import to_item


def put_token(tenant_id: str, token_digest: str, record: dict[str, Any]) -> None:
    aws.dynamodb().put_item(
        TableName=config.tenant_table(),
        Item={**keys.credential(tenant_id, token_digest), **to_item(record)},
    )


def list_credentials(tenant_id: str) -> list[dict[str, Any]]:
    """Access keys and OAuth clients of a tenant (admin listing, via GSI1)."""
    return table.query_all(
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.credentials_index(tenant_id)}},
    )
