"""Users created by User Sync get DEFAULT_BUNDLE, as users created through the API without
``permissionBundles`` do; a later run never assigns it again (SPEC §2.1, issue 17)."""

from __future__ import annotations

from typing import Any

import boto3

from cscore.platform import config, keys
from cscore.platform.dynamo import from_item
from cscore.sync.writers import PageWriter
from cscore.tenants import service as tenants

JOB = {
    "jobId": "1C02" + "U" * 32,
    "targetObject": "User",
    "sourceObject": "User",
    "keyFields": ["SFDCUserName"],
    "mappings": [
        {"source": "Username", "target": "SFDCUserName"},
        {"source": "Email", "target": "Email"},
        {"source": "Title", "target": "Title"},
    ],
}
CONNECTION = {"connectionId": "1C01" + "C" * 32}


def _synced_users(tenant_id: str) -> dict[str, dict[str, Any]]:
    client = boto3.client("dynamodb")
    items = client.scan(TableName=config.tenant_table(), ConsistentRead=True)["Items"]
    users = [from_item(raw) for raw in items]
    return {
        u["SFDCUserName"]: u
        for u in users
        if u["PK"].startswith(f"T#{tenant_id}#User#") and u["SK"] == keys.RECORD_SK and "syncJob" in u
    }


def _run(tenant_id: str, title: str) -> None:
    rows = [{"Id": f"005{i:015d}", "Username": f"u{i}@x.io", "Email": f"u{i}@x.io", "Title": title} for i in range(2)]
    writer = PageWriter(tenant_id, JOB, CONNECTION, "SYNC")
    writer.write(rows)
    writer.flush()


def test_synced_users_get_the_default_bundle_once(aws_tables) -> None:
    tenant_id = tenants.create_tenant("Synced")["tenantId"]
    _run(tenant_id, "Rep")
    users = _synced_users(tenant_id)
    assert sorted(users) == ["u0@x.io", "u1@x.io"]
    assert [u["permissionBundles"] for u in users.values()] == [["DEFAULT_BUNDLE"]] * 2

    # An admin takes the bundle away from one of them; the next runs update, never re-assign.
    removed = users["u0@x.io"]
    boto3.client("dynamodb").update_item(
        TableName=config.tenant_table(),
        Key={"PK": {"S": removed["PK"]}, "SK": {"S": removed["SK"]}},
        UpdateExpression="SET permissionBundles = :none",
        ExpressionAttributeValues={":none": {"L": []}},
    )
    _run(tenant_id, "Manager")
    _run(tenant_id, "Manager")
    after = _synced_users(tenant_id)
    assert {name: (u["Title"], u["permissionBundles"]) for name, u in after.items()} == {
        "u0@x.io": ("Manager", []),
        "u1@x.io": ("Manager", ["DEFAULT_BUNDLE"]),
    }
