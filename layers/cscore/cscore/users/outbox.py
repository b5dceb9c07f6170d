"""The users outbox: the follow-up work of a users write (permission bundles to assign,
welcome e-mails to send) stored in the same transaction as the users it is about, so it
exists exactly when they do. The write then queues it (cscore.users.events); the users
worker does it and deletes the item; a scheduled sweep queues again what an invocation
that died between its transaction and its publish left behind.

One item per users transaction: ``users`` (gsid, bundles, email, name), ``action``
(add or overwrite), ``bundlesDone`` once bundles are set, and ``mail``: the GSIDs still
owed a welcome e-mail (a map, so each one is claimed by one conditional update).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from cscore.platform import aws, config, keys, table
from cscore.platform.dynamo import to_item

_SEP = "#"


@dataclass(frozen=True)
class FollowUp:
    """What the users worker is to do for the users of a write: set their bundles (added
    to theirs, or overwriting them) and, with ``notify``, welcome each one by e-mail.
    Users absent from ``bundles`` get nothing."""

    action: str
    notify: bool = False
    bundles: dict[str, list[str]] = field(default_factory=dict)


def put_action(tenant_id: str, follow_up: FollowUp, users: list[dict[str, Any]], now: str) -> dict[str, Any] | None:
    """The transaction action that stores the follow-up work of ``users`` (None: none)."""
    entries = [
        {"gsid": u["Gsid"], "bundles": follow_up.bundles[u["Gsid"]], "email": u.get("Email"), "name": u.get("Name")}
        for u in users
        if u["Gsid"] in follow_up.bundles
    ]
    if not entries:
        return None
    outbox_id = uuid.uuid4().hex
    item = {
        "tenantId": tenant_id,
        "outboxId": outbox_id,
        "action": follow_up.action,
        "users": entries,
        "mail": {e["gsid"]: True for e in entries if follow_up.notify and e["email"]},
        "CreatedDate": now,
        "GSI1PK": keys.OUTBOX_INDEX,
        "GSI1SK": f"{now}{_SEP}{tenant_id}{_SEP}{outbox_id}",
    }
    return {
        "Put": {
            "TableName": config.tenant_table(),
            "Item": {**to_item(item), **keys.outbox(tenant_id, outbox_id)},
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


def ids_in(tenant_id: str, actions: list[dict[str, Any]]) -> list[str]:
    """The outbox items a transaction stores."""
    partition = keys.outbox(tenant_id, "")["PK"]["S"]
    return [a["Put"]["Item"]["SK"]["S"] for a in actions if "Put" in a and a["Put"]["Item"]["PK"]["S"] == partition]


def bundles_done_action(tenant_id: str, outbox_id: str, *, delete: bool) -> dict[str, Any]:
    """Marks the item's bundles as set (or deletes it, when no e-mail is owed), in the
    transaction that sets them; fails when another delivery got there first."""
    item_key = keys.outbox(tenant_id, outbox_id)
    guard = "attribute_exists(PK) AND attribute_not_exists(bundlesDone)"
    if delete:
        return {"Delete": {"TableName": config.tenant_table(), "Key": item_key, "ConditionExpression": guard}}
    return {
        "Update": {
            "TableName": config.tenant_table(),
            "Key": item_key,
            "UpdateExpression": "SET bundlesDone = :t",
            "ConditionExpression": guard,
            "ExpressionAttributeValues": {":t": {"BOOL": True}},
        }
    }


def claim_mail(tenant_id: str, outbox_id: str, gsid: str) -> bool:
    """Take the welcome e-mail owed to one user; False when another delivery took it."""
    try:
        aws.dynamodb().update_item(
            TableName=config.tenant_table(),
            Key=keys.outbox(tenant_id, outbox_id),
            UpdateExpression="REMOVE mail.#g",
            ConditionExpression="attribute_exists(mail.#g)",
            ExpressionAttributeNames={"#g": gsid},
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def release_mail(tenant_id: str, outbox_id: str, gsid: str) -> None:
    """Give back a claimed e-mail that could not be sent, for the next delivery."""
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=keys.outbox(tenant_id, outbox_id),
        UpdateExpression="SET mail.#g = :t",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames={"#g": gsid},
        ExpressionAttributeValues={":t": {"BOOL": True}},
    )


def delete(tenant_id: str, outbox_id: str) -> None:
    table.delete(keys.outbox(tenant_id, outbox_id))


def left_behind(created_before: str, limit: int) -> list[tuple[str, str]]:
    """(tenant, outbox id) of items created before ``created_before``, oldest first."""
    out = aws.dynamodb().query(
        TableName=config.tenant_table(),
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :p AND GSI1SK < :before",
        ExpressionAttributeValues={":p": {"S": keys.OUTBOX_INDEX}, ":before": {"S": created_before}},
        ProjectionExpression="tenantId, outboxId",
        Limit=limit,
    )
    return [(i["tenantId"]["S"], i["outboxId"]["S"]) for i in out["Items"]]
