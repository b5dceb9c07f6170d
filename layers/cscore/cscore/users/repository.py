"""User items and their uniqueness guards (see docs/data-model.md)."""

from __future__ import annotations

from typing import Any

from cscore.platform import config, keys
from cscore.platform.dynamo import to_item


def new_user_actions(tenant_id: str, user: dict[str, Any]) -> list[dict[str, Any]]:
    """Transaction actions creating a user and claiming its SFDCUserName.

    The uniqueness item is guarded by ``attribute_not_exists`` in the same transaction
    as the record, so two concurrent creates can never both take one name.
    """
    gsid = user["Gsid"]
    table = config.tenant_table()
    record = {
        **user,
        "GSI1PK": keys.object_index(tenant_id, "User"),
        "GSI1SK": f"{user['ModifiedDate']}#{gsid}",
        "GSI2PK": keys.object_index(tenant_id, "User"),
        "GSI2SK": f"{str(user.get('Name') or '').lower()}#{gsid}",
    }
    return [
        {
            "Put": {
                "TableName": table,
                "Item": {**keys.user(tenant_id, gsid), **to_item(record)},
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
        {
            "Put": {
                "TableName": table,
                "Item": {
                    **keys.unique_value(tenant_id, "User", "SFDCUserName", user["SFDCUserName"]),
                    **to_item({"gsid": gsid}),
                },
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        },
    ]
