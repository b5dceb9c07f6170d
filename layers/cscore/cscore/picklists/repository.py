"""Data access of picklists: their items live on the tenant item, under
``picklists.<category>.<item GSID>`` = ``{label, system, order?}``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cscore.platform import aws, config, keys
from cscore.platform.dynamo import to_attr


def put_items(tenant_id: str, category: str, items: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Set these items (GSID, item) of an existing category, in one UpdateItem."""
    names = {"#p": "picklists", "#c": category}
    values: dict[str, Any] = {}
    clauses = []
    for i, (gsid, item) in enumerate(items):
        names[f"#g{i}"] = gsid
        values[f":v{i}"] = to_attr(item)
        clauses.append(f"#p.#c.#g{i} = :v{i}")
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=keys.tenant(tenant_id),
        UpdateExpression="SET " + ", ".join(clauses),
        ConditionExpression="attribute_exists(#p.#c)",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )
