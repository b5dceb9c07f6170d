"""GET / PUT /v1/permissions/company: the tenant's company data permission settings."""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.permissions import access, rules
from cscore.permissions.models import CompanySettings
from cscore.platform import aws, config, keys
from cscore.platform.dynamo import to_attr


def get_settings(principal: Principal) -> dict[str, Any]:
    return rules.settings_of(principal.tenant)


def put_settings(principal: Principal, settings: CompanySettings) -> dict[str, Any]:
    clean = rules.validate(settings, *access.schemas())
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=keys.tenant(principal.tenant_id),
        UpdateExpression="SET #p = :p",
        ExpressionAttributeNames={"#p": "companyPermissions"},
        ExpressionAttributeValues={":p": to_attr(clean)},
        ConditionExpression="attribute_exists(PK)",
    )
    return clean
