"""User items, their uniqueness guards and lookup index items (see docs/data-model.md).

A user is written with, in the same transaction: its SFDCUserName guard (and its
SfdcUserId guard when it has one), its index items (Email, FullName), its word items
(``Shape.word_changes``: team search by a word of the name; only the user's own writer
touches them, so they go unconditionally), the tenant's user counter, and the outbox
item of the transaction's follow-up work (cscore.users.outbox).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from cscore.catalog import USER
from cscore.platform import config, keys, table
from cscore.platform.deadline import NO_DEADLINE, Deadline
from cscore.platform.dynamo import Item, to_attr, to_item
from cscore.users import outbox

# Attributes a user item holds besides its fields, for SCIM (cscore.scim): the identity
# provider's id of the user, and the marker of a user deleted through SCIM (inactive in
# the product, gone for SCIM) until it is activated again.
EXTERNAL_ID = "scimExternalId"
DELETED_BY_SCIM = "scimDeleted"
TRANSACTION_LIMIT = 100
FIXED_ACTIONS = 2  # the counter update and the outbox item


def _record_item(tenant_id: str, user: dict[str, Any]) -> Item:
    """The user's item: its fields, then its index keys and its key, which no field overrides."""
    gsid = user["Gsid"]
    return {
        **to_item(user),
        **to_item(
            {
                "GSI1PK": keys.object_index(tenant_id, "User"),
                "GSI1SK": keys.by_modified_date(user["ModifiedDate"], gsid),
                "GSI2PK": keys.object_index(tenant_id, "User"),
                "GSI2SK": keys.by_name(user.get("Name"), gsid),
            }
        ),
        **keys.user(tenant_id, gsid),
    }


def _word_actions(tenant_id: str, before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, Any]]:
    removes, puts = USER.shape.word_changes(tenant_id, before, after)
    tbl = config.tenant_table()
    return [{"Delete": {"TableName": tbl, "Key": k}} for k in removes] + [
        {"Put": {"TableName": tbl, "Item": item}} for item in puts
    ]


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
            # ``v`` counts changes, so a rewrite of the list (update) can detect a concurrent one.
            "UpdateExpression": "SET gsids = list_append(if_not_exists(gsids, :empty), :new) ADD v :one",
            "ExpressionAttributeValues": {":empty": {"L": []}, ":new": to_attr(gsids), ":one": {"N": "1"}},
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


IndexEntry = tuple[str, str]  # (looked-up field, normalised value)


def index_entries(user: dict[str, Any]) -> set[IndexEntry]:
    """The lookup index items a user is listed in: its Email, its FullName ("first last",
    what the Company API's CSMFirstName + CSMLastName look up) and its SCIM externalId."""
    entries = set()
    if user.get("Email"):
        entries.add(("Email", keys.normalized(user["Email"])))
    if user.get(EXTERNAL_ID):
        entries.add(("ExternalId", keys.normalized(user[EXTERNAL_ID])))
    if user.get("FirstName") and user.get("LastName"):
        entries.add(("FullName", keys.normalized(f"{user['FirstName']} {user['LastName']}")))
    return entries


def insert_transactions(
    tenant_id: str, users: list[dict[str, Any]], follow_up: outbox.FollowUp | None = None, now: str = ""
) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """The transactions that create ``users``: [(gsids, actions)], each ≤ 100 actions.

    Each transaction appends its own users to their index items, so an index item never
    names a user whose transaction failed, and stores its own users' follow-up work."""
    chunks: list[list[dict[str, Any]]] = [[]]
    size = FIXED_ACTIONS
    in_chunk: set[IndexEntry] = set()
    for user in sorted(users, key=lambda u: sorted(index_entries(u))):
        entries = index_entries(user)
        own = (3 if user.get("SfdcUserId") else 2) + len(USER.shape.word_changes(tenant_id, None, user)[1])
        needed = own + len(entries - in_chunk)
        if size + needed > TRANSACTION_LIMIT:
            chunks.append([])
            size, in_chunk = FIXED_ACTIONS, set()
            needed = own + len(entries)
        chunks[-1].append(user)
        size += needed
        in_chunk |= entries
    return [(_gsids(chunk), _insert_actions(tenant_id, chunk, follow_up, now)) for chunk in chunks if chunk]


def _gsids(users: list[dict[str, Any]]) -> list[str]:
    return [u["Gsid"] for u in users]


def _insert_actions(
    tenant_id: str, users: list[dict[str, Any]], follow_up: outbox.FollowUp | None, now: str
) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = []
    listed: dict[IndexEntry, list[str]] = defaultdict(list)
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
        actions.extend(_word_actions(tenant_id, None, user))
        if user.get("SfdcUserId"):
            actions.append(_claim(tenant_id, "SfdcUserId", user["SfdcUserId"], user["Gsid"]))
        for entry in index_entries(user):
            listed[entry].append(user["Gsid"])
    actions.extend(_index_append(tenant_id, field, value, gsids) for (field, value), gsids in listed.items())
    actions.append(_count(tenant_id, len(users)))
    follow_up_action = outbox.put_action(tenant_id, follow_up, users, now) if follow_up else None
    if follow_up_action:
        actions.append(follow_up_action)
    return actions


@dataclass
class Written:
    """Outcome of a users write by GSID: written, lost a race, not attempted (no time
    left); and the outbox items the written transactions stored."""

    done: list[str]
    lost: list[str]
    not_attempted: list[str]
    outbox_ids: list[str]


def insert(
    tenant_id: str,
    users: list[dict[str, Any]],
    follow_up: outbox.FollowUp,
    now: str,
    deadline: Deadline = NO_DEADLINE,
) -> Written:
    """Create users, one transaction at a time while the invocation has time for it; the
    rest is not attempted."""
    written = Written([], [], [], [])
    for gsids, actions in insert_transactions(tenant_id, users, follow_up, now):
        if written.not_attempted or not deadline.allows_step():
            written.not_attempted.extend(gsids)
            continue
        try:
            with deadline.step():
                table.transact(actions)
        except table.TransactionCancelled:
            written.lost.extend(gsids)
            continue
        written.done.extend(gsids)
        written.outbox_ids.extend(outbox.ids_in(tenant_id, actions))
    return written


def set_active(tenant_id: str, gsids: list[str], active: bool, modified: str, by: str) -> None:
    """(De)activate existing users, all in one transaction (≤ 50 users); an activated
    user is no longer deleted through SCIM."""
    update = "SET IsActiveUser = :a, ModifiedDate = :m, ModifiedBy = :by, GSI1SK = :sk"
    actions = [
        {
            "Update": {
                "TableName": config.tenant_table(),
                "Key": keys.user(tenant_id, gsid),
                "UpdateExpression": update + (f" REMOVE {DELETED_BY_SCIM}" if active else ""),
                "ConditionExpression": "attribute_exists(PK)",
                "ExpressionAttributeValues": {
                    ":a": {"BOOL": active},
                    ":m": {"S": modified},
                    ":by": {"S": by},
                    ":sk": {"S": keys.by_modified_date(modified, gsid)},
                },
            }
        }
        for gsid in gsids
    ]
    for start in range(0, len(actions), TRANSACTION_LIMIT):
        table.transact(actions[start : start + TRANSACTION_LIMIT])


def delete_for_scim(tenant_id: str, gsid: str, modified: str, by: str, read_modified: str) -> bool:
    """Deactivate a user and mark it deleted through SCIM, if unchanged since it was read
    (False when it changed)."""
    try:
        table.transact(
            [
                {
                    "Update": {
                        "TableName": config.tenant_table(),
                        "Key": keys.user(tenant_id, gsid),
                        "UpdateExpression": (
                            f"SET IsActiveUser = :f, {DELETED_BY_SCIM} = :t, ModifiedDate = :m, ModifiedBy = :by,"
                            " GSI1SK = :sk"
                        ),
                        "ConditionExpression": "ModifiedDate = :read",
                        "ExpressionAttributeValues": {
                            ":f": {"BOOL": False},
                            ":t": {"BOOL": True},
                            ":m": {"S": modified},
                            ":by": {"S": by},
                            ":sk": {"S": keys.by_modified_date(modified, gsid)},
                            ":read": {"S": read_modified},
                        },
                    }
                }
            ]
        )
    except table.TransactionCancelled:
        return False
    return True


def set_bundles_action(tenant_id: str, gsid: str, bundles: list[str], read_modified: str) -> dict[str, Any]:
    """The transaction action that sets a user's permission bundles, if the user is
    unchanged since it was read (a concurrent update's bundles are not overwritten)."""
    return {
        "Update": {
            "TableName": config.tenant_table(),
            "Key": keys.user(tenant_id, gsid),
            "UpdateExpression": "SET permissionBundles = :b",
            "ConditionExpression": "ModifiedDate = :read",
            "ExpressionAttributeValues": {":b": {"L": [{"S": b} for b in bundles]}, ":read": {"S": read_modified}},
        }
    }


@dataclass
class UserChange:
    """One user's update: the stored item as read, and the item to store."""

    before: dict[str, Any]
    after: dict[str, Any]


def update(
    tenant_id: str,
    changes: list[UserChange],
    index_items: dict[IndexEntry, dict[str, Any] | None],
    follow_up: outbox.FollowUp | None = None,
    now: str = "",
    deadline: Deadline = NO_DEADLINE,
) -> Written:
    """Write updated users, one transaction at a time while there is time.

    Each record is replaced only if unchanged since it was read (its ModifiedDate); a
    changed SFDCUserName moves its guard; a changed Email or name moves the GSID between
    index items, whose lists are rewritten under a version check. ``index_items`` holds
    the index items read for every old and new entry of the users that move."""
    state = {
        entry: (list((item or {}).get("gsids") or []), (item or {}).get("v")) for entry, item in index_items.items()
    }
    chunks: list[list[UserChange]] = [[]]
    size, in_chunk = 1, set[IndexEntry]()  # the outbox item
    for change in changes:
        names_moved = keys.normalized(change.before["SFDCUserName"]) != keys.normalized(change.after["SFDCUserName"])
        entries = index_entries(change.before) ^ index_entries(change.after)
        own = 1 + 2 * names_moved + len(_word_actions(tenant_id, change.before, change.after))
        needed = own + len(entries - in_chunk)
        if size + needed > TRANSACTION_LIMIT:
            chunks.append([])
            size, in_chunk = 1, set()
            needed = own + len(entries)
        chunks[-1].append(change)
        size += needed
        in_chunk |= entries
    written = Written([], [], [], [])
    for chunk in chunks:
        if not chunk:
            continue
        gsids = [c.after["Gsid"] for c in chunk]
        if written.not_attempted or not deadline.allows_step():
            written.not_attempted.extend(gsids)
            continue
        actions, next_state = _update_actions(tenant_id, chunk, state)
        follow_up_action = outbox.put_action(tenant_id, follow_up, [c.after for c in chunk], now) if follow_up else None
        if follow_up_action:
            actions.append(follow_up_action)
        try:
            with deadline.step():
                table.transact(actions)
        except table.TransactionCancelled:
            written.lost.extend(gsids)
            continue
        state.update(next_state)
        written.done.extend(gsids)
        written.outbox_ids.extend(outbox.ids_in(tenant_id, actions))
    return written


def _update_actions(
    tenant_id: str, chunk: list[UserChange], state: dict[IndexEntry, tuple[list[str], Any]]
) -> tuple[list[dict[str, Any]], dict[IndexEntry, tuple[list[str], Any]]]:
    actions: list[dict[str, Any]] = []
    lists = {entry: list(gsids) for entry, (gsids, _) in state.items()}
    touched: set[IndexEntry] = set()
    for change in chunk:
        before, after = change.before, change.after
        gsid = after["Gsid"]
        actions.append(
            {
                "Put": {
                    "TableName": config.tenant_table(),
                    "Item": _record_item(tenant_id, after),
                    "ConditionExpression": "ModifiedDate = :read",
                    "ExpressionAttributeValues": {":read": {"S": before["ModifiedDate"]}},
                }
            }
        )
        if keys.normalized(before["SFDCUserName"]) != keys.normalized(after["SFDCUserName"]):
            actions.append(
                {
                    "Delete": {
                        "TableName": config.tenant_table(),
                        "Key": keys.unique_value(tenant_id, "User", "SFDCUserName", before["SFDCUserName"]),
                        "ConditionExpression": "gsid = :me",
                        "ExpressionAttributeValues": {":me": {"S": gsid}},
                    }
                }
            )
            actions.append(_claim(tenant_id, "SFDCUserName", after["SFDCUserName"], gsid))
        actions.extend(_word_actions(tenant_id, before, after))
        old, new = index_entries(before), index_entries(after)
        for entry in old - new:
            if gsid in lists.get(entry, []):
                lists[entry].remove(gsid)
                touched.add(entry)
        for entry in new - old:
            lists.setdefault(entry, []).append(gsid)
            touched.add(entry)
    next_state: dict[IndexEntry, tuple[list[str], Any]] = {}
    for entry in sorted(touched):
        version = state.get(entry, ([], None))[1]
        guard = "attribute_not_exists(v)" if version is None else "v = :v"
        values: dict[str, Any] = {":gsids": to_attr(sorted(lists[entry])), ":one": {"N": "1"}}
        if version is not None:
            values[":v"] = {"N": str(version)}
        field, value = entry
        actions.append(
            {
                "Update": {
                    "TableName": config.tenant_table(),
                    "Key": keys.lookup_index(tenant_id, "User", field, value),
                    "UpdateExpression": "SET gsids = :gsids ADD v :one",
                    "ConditionExpression": guard,
                    "ExpressionAttributeValues": values,
                }
            }
        )
        next_state[entry] = (sorted(lists[entry]), (version or 0) + 1)
    return actions, next_state
