"""The users worker: assigns permission bundles and sends welcome e-mails for the users
a create or update named (messages from cscore.users.events)."""

from __future__ import annotations

from typing import Any

from cscore.platform import aws, config, keys, table
from cscore.users.repository import TRANSACTION_LIMIT


def assign_bundles(message: dict[str, Any]) -> int:
    """Apply one message; returns the number of users whose bundles were set.

    Idempotent, so a redelivered message does no harm: ``add`` unions with what the
    user has, ``overwrite`` replaces it; users deleted since are skipped."""
    tenant_id = message["tenantId"]
    users = message["users"]
    stored = table.read_many([keys.user(tenant_id, u["gsid"]) for u in users])
    actions = []
    for user, item in zip(users, stored, strict=True):
        if item is None:
            continue
        wanted = user.get("bundles") or []
        kept = [] if message["action"] == "overwrite" else list(item.get("permissionBundles") or [])
        bundles = list(dict.fromkeys([*kept, *wanted]))
        actions.append(
            {
                "Update": {
                    "TableName": config.tenant_table(),
                    "Key": keys.user(tenant_id, user["gsid"]),
                    "UpdateExpression": "SET permissionBundles = :b",
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeValues": {":b": {"L": [{"S": b} for b in bundles]}},
                }
            }
        )
    for start in range(0, len(actions), TRANSACTION_LIMIT):
        table.transact(actions[start : start + TRANSACTION_LIMIT])
    if message.get("notify"):
        for user, item in zip(users, stored, strict=True):
            if item is not None and user.get("email"):
                send_welcome(user["email"], user.get("name") or "")
    return len(actions)


def send_welcome(email: str, name: str) -> None:
    aws.ses().send_email(
        Source=config.ses_sender(),
        Destination={"ToAddresses": [email]},
        Message={
            "Subject": {"Data": "Welcome to CS Platform", "Charset": "UTF-8"},
            "Body": {
                "Text": {
                    "Data": f"Hello {name},\n\nan account was created for you ({email}).\n",
                    "Charset": "UTF-8",
                }
            },
        },
    )
