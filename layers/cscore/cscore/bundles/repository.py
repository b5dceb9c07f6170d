"""Data access of permission bundles: the bundle items (by name, in the tenant's bundle
partition), their id items (a bundle created here has a GSID, SCIM's Group id, that stays
when it is renamed) and their member items (one per user holding the bundle, in the
bundle's own partition), each written in the transaction that changes the user's
``permissionBundles``. Bundles without an id (the tenant's system bundles, such as
DEFAULT_BUNDLE, which every user gets) keep no member items."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cscore.platform import aws, config, keys, table
from cscore.platform.dynamo import from_item, to_attr, to_item

TRANSACTION_LIMIT = 100


def all_of(tenant_id: str, limit: int) -> list[dict[str, Any]]:
    """The tenant's bundles (at most ``limit`` + 1 are read: the caller refuses more)."""
    out = aws.dynamodb().query(
        TableName=config.tenant_table(),
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": keys.permission_bundle(tenant_id, "")["PK"]},
        ConsistentRead=True,
        Limit=limit + 1,
    )
    return [from_item(i) for i in out["Items"]]


def by_names(tenant_id: str, names: list[str]) -> dict[str, dict[str, Any]]:
    unique = list(dict.fromkeys(names))
    found = table.read_many([keys.permission_bundle(tenant_id, n) for n in unique])
    return {n: item for n, item in zip(unique, found, strict=True) if item is not None}


def name_of(tenant_id: str, bundle_id: str) -> str | None:
    item = table.read_one(keys.bundle_by_id(tenant_id, bundle_id))
    return str(item["name"]) if item else None


def member_gsids(tenant_id: str, bundle_id: str, limit: int) -> list[str]:
    """The GSIDs of a bundle's members (at most ``limit`` + 1 are read)."""
    client = aws.dynamodb()
    kwargs: dict[str, Any] = {
        "TableName": config.tenant_table(),
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.bundle_members(tenant_id, bundle_id)}},
        "ProjectionExpression": "SK",
        "ConsistentRead": True,
    }
    gsids: list[str] = []
    while len(gsids) <= limit:
        out = client.query(**kwargs, Limit=limit + 1 - len(gsids))
        gsids += [i["SK"]["S"] for i in out["Items"]]
        if "LastEvaluatedKey" not in out:
            break
        kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
    return gsids


def membership_actions(tenant_id: str, gsid: str, joins: list[str], leaves: list[str]) -> list[dict[str, Any]]:
    """The member items a user's change of bundles (by bundle id) puts and deletes."""
    tbl = config.tenant_table()
    return [{"Put": {"TableName": tbl, "Item": keys.bundle_member(tenant_id, b, gsid)}} for b in joins] + [
        {"Delete": {"TableName": tbl, "Key": keys.bundle_member(tenant_id, b, gsid)}} for b in leaves
    ]


@dataclass
class MemberChange:
    """One user's bundles after a group change, written if the user is as it was read."""

    gsid: str
    bundles: list[str]
    read_modified: str
    joins: list[str] = field(default_factory=list)  # bundle ids
    leaves: list[str] = field(default_factory=list)


def _bundle_actions(
    tenant_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[dict[str, Any]]:
    tbl = config.tenant_table()
    bundle_id = str((after or before or {})["bundleId"])
    mine = {"ConditionExpression": "bundleId = :id", "ExpressionAttributeValues": {":id": {"S": bundle_id}}}
    if after is None:
        assert before is not None
        return [
            {"Delete": {"TableName": tbl, "Key": keys.permission_bundle(tenant_id, before["name"]), **mine}},
            {"Delete": {"TableName": tbl, "Key": keys.bundle_by_id(tenant_id, bundle_id)}},
        ]
    item = {**keys.permission_bundle(tenant_id, after["name"]), **to_item(after)}
    id_item = {**keys.bundle_by_id(tenant_id, bundle_id), **to_item({"name": after["name"]})}
    if before is None or before["name"] != after["name"]:
        actions: list[dict[str, Any]] = [
            {"Put": {"TableName": tbl, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
        ]
        if before is None:
            guard = "attribute_not_exists(PK)"
            actions.append({"Put": {"TableName": tbl, "Item": id_item, "ConditionExpression": guard}})
        else:
            old = keys.permission_bundle(tenant_id, before["name"])
            actions.append({"Delete": {"TableName": tbl, "Key": old, **mine}})
            actions.append({"Put": {"TableName": tbl, "Item": id_item}})
        return actions
    values = {":id": {"S": bundle_id}, ":m": to_attr(after["ModifiedDate"]), ":by": to_attr(after["ModifiedBy"])}
    return [
        {
            "Update": {
                "TableName": tbl,
                "Key": keys.permission_bundle(tenant_id, after["name"]),
                "UpdateExpression": "SET ModifiedDate = :m, ModifiedBy = :by",
                "ConditionExpression": "bundleId = :id",
                "ExpressionAttributeValues": values,
            }
        }
    ]


def write(
    tenant_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None, members: list[MemberChange]
) -> bool:
    """Create (``before`` None), rename or touch (both), or delete (``after`` None) a
    bundle, with its members' changes: the bundle's own actions and as many members as fit
    in the first transaction, the other members in further ones. False when the first
    was cancelled (the name is taken, the bundle or a user changed meanwhile): nothing
    was written."""
    tbl = config.tenant_table()
    member_actions: list[list[dict[str, Any]]] = []
    for change in members:
        update = {
            "Update": {
                "TableName": tbl,
                "Key": keys.user(tenant_id, change.gsid),
                "UpdateExpression": "SET permissionBundles = :b",
                "ConditionExpression": "ModifiedDate = :read",
                "ExpressionAttributeValues": {":b": to_attr(change.bundles), ":read": {"S": change.read_modified}},
            }
        }
        member_actions.append([update, *membership_actions(tenant_id, change.gsid, change.joins, change.leaves)])
    chunk = _bundle_actions(tenant_id, before, after)
    first = True
    for actions in [*member_actions, []]:
        if actions and len(chunk) + len(actions) <= TRANSACTION_LIMIT:
            chunk += actions
            continue
        if chunk:
            try:
                table.transact(chunk)
            except table.TransactionCancelled:
                if first:
                    return False
                raise
            first = False
        chunk = list(actions)
    return True
