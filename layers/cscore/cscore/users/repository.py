"""User items, their uniqueness guards and lookup index items (see docs/data-model.md).

A user is written with, in the same transaction: its SFDCUserName guard (and its
SfdcUserId guard when it has one), its Email index item, and the tenant's user counter.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cscore.platform import config, keys, table
from cscore.platform.dynamo import Item, to_attr, to_item

TRANSACTION_LIMIT = 100


def _record_item(tenant_id: str, user: dict[str, Any]) -> Item:
    gsid = user["Gsid"]
    return {
        **keys.user(tenant_id, gsid),
        **to_item(
            {
                **user,
                "GSI1PK": keys.object_index(tenant_id, "User"),
                "GSI1SK": f"{user['ModifiedDate']}#{gsid}",
                "GSI2PK": keys.object_index(tenant_id, "User"),
                "GSI2SK": f"{keys.normalized(user.get('Name') or '')}#{gsid}",
            }
        ),
    }


def _claim(tenant_id: str, field: str, value: str, gsid: str) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": config.tenant_table(),
            "Item": {**keys.unique_value(tenant_id, "User", field, value), **to_item({"gsid": gsid})},
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def _index_append(tenant_id: str, field: str, value: str, gsids: list[str]) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": config.tenant_table(),
            "Key": keys.lookup_index(tenant_id, "User", field, value),
            "UpdateExpression": "SET gsids = list_append(if_not_exists(gsids, :empty), :new)",
            "ExpressionAttributeValues": {":empty": {"L": []}, ":new": to_attr(gsids)},
        }
    }


def _count(tenant_id: str, n: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": config.tenant_table(),
            "Key": keys.counter(tenant_id, "User"),
            "UpdateExpression": "ADD #total :n",
            "ExpressionAttributeNames": {"#total": "total"},
            "ExpressionAttributeValues": {":n": {"N": str(n)}},
        }
    }


def insert_transactions(tenant_id: str, users: list[dict[str, Any]]) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """The transactions that create ``users``: [(gsids, actions)], each ≤ 100 actions.

    Each transaction appends its own users to their Email index items, so an index item
    never names a user whose transaction failed."""
    chunks: list[list[dict[str, Any]]] = [[]]
    size = 1  # the counter update
    for user in sorted(users, key=lambda u: keys.normalized(u.get("Email") or "")):
        email = keys.normalized(user.get("Email") or "")
        needed = 3 if user.get("SfdcUserId") else 2
        new_email = bool(email) and all(keys.normalized(u.get("Email") or "") != email for u in chunks[-1])
        if size + needed + new_email > TRANSACTION_LIMIT:
            chunks.append([])
            size, new_email = 1, bool(email)
        chunks[-1].append(user)
        size += needed + new_email
    return [(_gsids(chunk), _insert_actions(tenant_id, chunk)) for chunk in chunks if chunk]


def _gsids(users: list[dict[str, Any]]) -> list[str]:
    return [u["Gsid"] for u in users]


def _insert_actions(tenant_id: str, users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    by_email: dict[str, list[str]] = defaultdict(list)
    for user in users:
        actions.append(
            {
                "Put": {
                    "TableName": config.tenant_table(),
                    "Item": _record_item(tenant_id, user),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        )
        actions.append(_claim(tenant_id, "SFDCUserName", user["SFDCUserName"], user["Gsid"]))
        if user.get("SfdcUserId"):
            actions.append(_claim(tenant_id, "SfdcUserId", user["SfdcUserId"], user["Gsid"]))
        if user.get("Email"):
            by_email[keys.normalized(user["Email"])].append(user["Gsid"])
    actions.extend(_index_append(tenant_id, "Email", email, gsids) for email, gsids in by_email.items())
    actions.append(_count(tenant_id, len(users)))
    return actions


def insert(tenant_id: str, users: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Create users; returns (created GSIDs, GSIDs whose transaction lost a race)."""
    created: list[str] = []
    lost: list[str] = []
    for gsids, actions in insert_transactions(tenant_id, users):
        try:
            table.transact(actions)
        except table.TransactionCancelled:
            lost.extend(gsids)
        else:
            created.extend(gsids)
    return created, lost


def set_active(tenant_id: str, gsids: list[str], active: bool, modified: str, by: str) -> None:
    """(De)activate existing users, all in one transaction (≤ 50 users)."""
    actions = [
        {
            "Update": {
                "TableName": config.tenant_table(),
                "Key": keys.user(tenant_id, gsid),
                "UpdateExpression": "SET IsActiveUser = :a, ModifiedDate = :m, ModifiedBy = :by, GSI1SK = :sk",
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": {
                    ":a": {"BOOL": active},
                    ":m": {"S": modified},
                    ":by": {"S": by},
                    ":sk": {"S": f"{modified}#{gsid}"},
                },
            }
        }
        for gsid in gsids
    ]
    for start in range(0, len(actions), TRANSACTION_LIMIT):
        table.transact(actions[start : start + TRANSACTION_LIMIT])
