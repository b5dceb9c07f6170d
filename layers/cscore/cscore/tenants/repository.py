"""Data access of tenants: the tenant item (settings, picklists, limits, key pointer), the
registry listing every tenant, its permission bundles and its access keys."""

from __future__ import annotations

from typing import Any

from cscore.platform import aws, config, keys, table
from cscore.platform.dynamo import Item, to_attr, to_item

BATCH_WRITE_LIMIT = 25


def read(tenant_id: str) -> dict[str, Any] | None:
    return table.read_one(keys.tenant(tenant_id))


def create(tenant_id: str, tenant: dict[str, Any], key_item: Item, more: list[dict[str, Any]]) -> None:
    """The tenant item, its registry entry and its tenant key in one transaction, with the
    ``more`` actions (its first users) in the same one."""
    tbl = config.tenant_table()
    registered = {**keys.tenant_registry(tenant_id), **to_item({"name": tenant["name"]})}
    table.transact(
        [
            {
                "Put": {
                    "TableName": tbl,
                    "Item": {**keys.tenant(tenant_id), **to_item(tenant)},
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            {"Put": {"TableName": tbl, "Item": registered}},
            {"Put": {"TableName": tbl, "Item": key_item, "ConditionExpression": "attribute_not_exists(PK)"}},
            *more,
        ]
    )


def put_permission_bundles(tenant_id: str, bundles: list[dict[str, Any]]) -> None:
    """Write these permission bundles (``name`` and their fields), replacing same-named ones."""
    tbl = config.tenant_table()
    client = aws.dynamodb()
    puts = [
        {"PutRequest": {"Item": {**keys.permission_bundle(tenant_id, bundle["name"]), **to_item(bundle)}}}
        for bundle in bundles
    ]
    for start in range(0, len(puts), BATCH_WRITE_LIMIT):
        pending: dict[str, Any] = {tbl: puts[start : start + BATCH_WRITE_LIMIT]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def set_missing(tenant_id: str, defaults_by_path: dict[tuple[str, ...], Any]) -> None:
    """SET each attribute path of the tenant item to its default unless it has a value."""
    table.set_missing(keys.tenant(tenant_id), defaults_by_path)


def registry() -> list[dict[str, Any]]:
    rows = table.query_all(
        KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": {"S": keys.TENANT_REGISTRY_PK}}
    )
    return [{"tenantId": r["SK"], "name": r.get("name")} for r in rows]


def replace_tenant_key(tenant_id: str, old_key_pk: str, key_item: Item) -> None:
    """The new tenant key in, the old one out and the tenant pointing to the new one, in one
    transaction (refused if another replacement got there first)."""
    tbl = config.tenant_table()
    table.transact(
        [
            {"Delete": {"TableName": tbl, "Key": {"PK": {"S": old_key_pk}, "SK": {"S": "AUTH"}}}},
            {"Put": {"TableName": tbl, "Item": key_item, "ConditionExpression": "attribute_not_exists(PK)"}},
            {
                "Update": {
                    "TableName": tbl,
                    "Key": keys.tenant(tenant_id),
                    "UpdateExpression": "SET tenantKeyPK = :new",
                    "ConditionExpression": "tenantKeyPK = :old",
                    "ExpressionAttributeValues": {":new": {"S": key_item["PK"]["S"]}, ":old": {"S": old_key_pk}},
                }
            },
        ]
    )


def put_access_key(key_item: Item) -> None:
    aws.dynamodb().put_item(
        TableName=config.tenant_table(), Item=key_item, ConditionExpression="attribute_not_exists(PK)"
    )


def set_setting(tenant_id: str, name: str, value: Any) -> None:
    """One top-level setting of an existing tenant (``limits``, ``companyTeamsEnabled``)."""
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=keys.tenant(tenant_id),
        UpdateExpression="SET #s = :v",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames={"#s": name},
        ExpressionAttributeValues={":v": to_attr(value)},
    )
