"""Leases on connector table items: one invocation at a time works on an item of work (a
sync run, a bulk import), as SQS and S3 deliver at least once; the holder checkpoints
under its lease and a lease that stopped being renewed is taken over."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cscore.platform.connector_table import update_item
from cscore.platform.dynamo import Item, to_attr


def take_lease(item_key: Item, token: str, now: float, until: float) -> bool:
    """Hold an item of work (a sync run, a bulk import) for one invocation: only one works
    on it at a time, as SQS and S3 deliver at least once. False while another's lease runs."""
    return update_item(
        item_key,
        {"leaseToken": token, "leaseUntil": until},
        condition="attribute_exists(PK) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
        values={":now": to_attr(now)},
    )


def save_leased(
    item_key: Item, token: str, set_fields: dict[str, Any], release: bool = False, also: Sequence[dict[str, Any]] = ()
) -> bool:
    """Checkpoint (or finish, with ``release``) leased work, only while this invocation
    holds the lease: False when another has taken it over. ``also``: writes that must
    land with the checkpoint or not at all (one transaction)."""
    return update_item(
        item_key,
        set_fields,
        ("leaseToken", "leaseUntil") if release else (),
        condition="leaseToken = :token",
        also=also,
        values={":token": to_attr(token)},
    )
