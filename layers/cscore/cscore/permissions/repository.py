"""Data access of company data permissions: the settings live on the tenant item, under
``companyPermissions`` (read with the request's credential, so checks cost no call)."""

from __future__ import annotations

from typing import Any

from cscore.platform import aws, config, keys
from cscore.platform.dynamo import to_attr


def put_company_settings(tenant_id: str, settings: dict[str, Any]) -> None:
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=keys.tenant(tenant_id),
        UpdateExpression="SET #p = :p",
        ExpressionAttributeNames={"#p": "companyPermissions"},
        ExpressionAttributeValues={":p": to_attr(settings)},
        ConditionExpression="attribute_exists(PK)",
    )
