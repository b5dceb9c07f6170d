"""Rate-limit counters in DynamoDB: one item per tenant, family and day, holding a
counter per window. One conditional UpdateItem admits or refuses a request atomically
for all windows of the family."""

from __future__ import annotations

from typing import Any

from cscore.platform import aws, config
from cscore.platform.dynamo import from_item
from cscore.ratelimit.policy import ITEM_WINDOW, WindowState, window_bounds

# Counters outlive their day by a day; TTL only tidies up, the key makes windows distinct.
_TTL_GRACE = 86400


def _item_key(tenant_id: str, family: str, at: float) -> dict[str, Any]:
    day_start, _ = window_bounds(ITEM_WINDOW, at)
    return {"PK": {"S": f"T#{tenant_id}#RL#{family}#{day_start}"}}


def consume(tenant_id: str, family: str, at: float, windows: list[WindowState]) -> tuple[bool, dict[str, int]]:
    """Count one request in every window unless one is full.

    Returns (admitted, counters after the attempt as attribute -> count).
    """
    names = {f"#w{i}": w.attribute for i, w in enumerate(windows)}
    values: dict[str, Any] = {":one": {"N": "1"}, ":ttl": {"N": str(max(w.end for w in windows) + _TTL_GRACE)}}
    guards = []
    for i, w in enumerate(windows):
        values[f":l{i}"] = {"N": str(w.limit)}
        guards.append(f"(attribute_not_exists(#w{i}) OR #w{i} < :l{i})")
    client = aws.dynamodb()
    try:
        out = client.update_item(
            TableName=config.rate_limit_table(),
            Key=_item_key(tenant_id, family, at),
            UpdateExpression="ADD "
            + ", ".join(f"#w{i} :one" for i in range(len(windows)))
            + " SET #ttl = if_not_exists(#ttl, :ttl)",
            ConditionExpression=" AND ".join(guards),
            ExpressionAttributeNames={**names, "#ttl": "expiresAt"},
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except client.exceptions.ConditionalCheckFailedException as exc:
        old: dict[str, Any] = exc.response.get("Item") or {}  # type: ignore[assignment]
        return False, _counts(from_item(old))
    return True, _counts(from_item(out.get("Attributes", {})))


def read_usage(tenant_id: str, families: list[str], at: float) -> dict[str, dict[str, int]]:
    """Current counters of several families in one BatchGetItem: family -> attribute -> count."""
    table = config.rate_limit_table()
    keys = {f: _item_key(tenant_id, f, at) for f in families}
    out = aws.dynamodb().batch_get_item(RequestItems={table: {"Keys": list(keys.values()), "ConsistentRead": True}})
    by_pk = {item["PK"]["S"]: from_item(item) for item in out["Responses"].get(table, [])}
    return {f: _counts(by_pk.get(k["PK"]["S"], {})) for f, k in keys.items()}


def _counts(item: dict[str, Any]) -> dict[str, int]:
    return {k: int(v) for k, v in item.items() if k not in ("PK", "expiresAt")}
