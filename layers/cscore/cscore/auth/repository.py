"""Credential items: access keys, OAuth clients, Bearer tokens (see docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from cscore.platform import aws, config, keys, table
from cscore.platform.dynamo import Item, to_item


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


def add_oauth_client(tenant_id: str, item: Item, most: int) -> bool:
    """Store a client and count it on the tenant item, in one transaction; False (nothing
    written) when the tenant already has ``most`` clients."""
    try:
        table.transact(
            [
                {
                    "Put": {
                        "TableName": config.tenant_table(),
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {
                    "Update": {
                        "TableName": config.tenant_table(),
                        "Key": keys.tenant(tenant_id),
                        "UpdateExpression": "ADD oauthClientCount :one",
                        "ConditionExpression": "attribute_not_exists(oauthClientCount) OR oauthClientCount < :max",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":max": {"N": str(most)}},
                    }
                },
            ]
        )
    except table.TransactionCancelled:
        return False
    return True


def delete_oauth_client(tenant_id: str, client_gsid: str) -> bool:
    """Delete a client and uncount it, in one transaction; False when there is no such client."""
    try:
        table.transact(
            [
                {
                    "Delete": {
                        "TableName": config.tenant_table(),
                        "Key": keys.oauth_client(tenant_id, client_gsid),
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
                {
                    "Update": {
                        "TableName": config.tenant_table(),
                        "Key": keys.tenant(tenant_id),
                        "UpdateExpression": "ADD oauthClientCount :minus",
                        "ExpressionAttributeValues": {":minus": {"N": "-1"}},
                    }
                },
            ]
        )
    except table.TransactionCancelled:
        return False
    return True
