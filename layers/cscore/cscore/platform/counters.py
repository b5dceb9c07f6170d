"""The per-tenant, per-object record counters (``keys.counter``: ``total``, what an
unfiltered ``includeTotal`` answers) as a write that goes in a transaction with others."""

from __future__ import annotations

from typing import Any

from cscore.platform import config, keys


def change(tenant_id: str, obj: str, amount: int) -> dict[str, Any]:
    """The TransactWriteItems action adding ``amount`` to an object's counter."""
    return {
        "Update": {
            "TableName": config.tenant_table(),
            "Key": keys.counter(tenant_id, obj),
            "UpdateExpression": "ADD #total :n",
            "ExpressionAttributeNames": {"#total": "total"},
            "ExpressionAttributeValues": {":n": {"N": str(amount)}},
        }
    }
