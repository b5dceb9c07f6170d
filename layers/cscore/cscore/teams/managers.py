"""UserManagerRole1..3 of Company Team records (SPEC §4.1): the member's manager, the
manager's manager and the third level (the User ``Manager`` chain, as GSIDs).

They are set whenever a member is written (``chains``) and kept current when a
manager changes (``refresh_for_users``, called by the users API and the sync after
they change a user's Manager).

When user X's Manager changes, the chains that change are X's own and those of the
users below X down to two levels (X is their level 1 or 2; for a user three levels
below, X is level 3 and X's own manager is not in its chain). Those users are found
from one listing of the tenant's users (Gsid and Manager only), the changed users
themselves read strongly consistently (the listing's index may lag behind the write
that changed them). Their Company Team records are found through the "a user's
companies" index (or, for many users, the object's listing), read again strongly
consistently and written through a ``BulkStore``: 100 records a read, 25 a write, and
a record whose chain did not change is not written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from cscore.objects.bulk import BulkStore
from cscore.objects.shapes import COMPANY_TEAM
from cscore.platform import keys, records, table

LEVELS = 3
FIELDS = tuple(f"UserManagerRole{level}" for level in range(1, LEVELS + 1))
SYSTEM_ACTOR = "SYSTEM"
# Up to this many users, their records are found with one index query each; above it,
# the tenant's Company Team listing is read once instead.
PER_USER_QUERIES = 20


def as_fields(chain: tuple[str | None, ...]) -> dict[str, str | None]:
    """A chain as the record's fields (None removes a level that is not there)."""
    return dict(zip(FIELDS, chain, strict=True))


def _walk(manager_of: Mapping[str, str | None], gsid: str) -> tuple[str | None, ...]:
    chain: list[str | None] = []
    current: str | None = gsid
    for _ in range(LEVELS):
        current = manager_of.get(current) if current else None
        chain.append(current or None)
    return tuple(chain)


def chains(tenant_id: str, users: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str | None, ...]]:
    """The manager chain (levels 1 to 3) of each given user record; the managers are
    read in batches, one level at a time (at most two BatchGetItem rounds)."""
    manager_of: dict[str, str | None] = {g: _manager(u) for g, u in users.items()}
    frontier = {m for m in manager_of.values() if m}
    for _ in range(LEVELS - 1):
        missing = [m for m in frontier if m not in manager_of]
        found = records.by_gsids(tenant_id, "User", missing) if missing else {}
        for gsid in missing:
            manager_of[gsid] = _manager(found.get(gsid))
        frontier = {m for g in frontier if (m := manager_of.get(g))}
    return {gsid: _walk(manager_of, gsid) for gsid in users}


def _manager(user: Mapping[str, Any] | None) -> str | None:
    value = (user or {}).get("Manager")
    return value if isinstance(value, str) and value else None


def _managers_of_all(tenant_id: str) -> dict[str, str | None]:
    items = table.query_all(
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :pk",
        ProjectionExpression="#g, #m",
        ExpressionAttributeNames={"#g": "Gsid", "#m": "Manager"},
        ExpressionAttributeValues={":pk": {"S": keys.object_index(tenant_id, "User")}},
    )
    return {str(i["Gsid"]): _manager(i) for i in items if i.get("Gsid")}


def _team_record_gsids(tenant_id: str, users: set[str]) -> list[str]:
    if len(users) > PER_USER_QUERIES:
        every = records.all_of(tenant_id, "CompanyTeam")
        return [r["Gsid"] for r in every if r.get("UserId") in users]
    found: list[str] = []
    for user in sorted(users):
        items = table.query_all(
            IndexName="GSI3",
            KeyConditionExpression="GSI3PK = :pk",
            ProjectionExpression="#g",
            ExpressionAttributeNames={"#g": "Gsid"},
            ExpressionAttributeValues={":pk": {"S": keys.related(tenant_id, "CompanyTeam", "User", user)}},
        )
        found.extend(str(i["Gsid"]) for i in items if i.get("Gsid"))
    return found


def refresh_for_users(
    tenant_id: str, user_gsids: Iterable[str], actor: str = SYSTEM_ACTOR, team_records: Iterable[str] = ()
) -> int:
    """Recompute UserManagerRole1..3 of the Company Team records of these users (whose
    Manager changed) and of the users below them, and of the given Company Team records
    (just written by a sync); returns how many records changed."""
    changed = {g for g in user_gsids if g}
    gsids = set(team_records)
    if not changed and not gsids:
        return 0
    manager_of: dict[str, str | None] = {}
    affected: set[str] = set()
    if changed:
        manager_of = _managers_of_all(tenant_id)
        fresh = records.by_gsids(tenant_id, "User", sorted(changed))
        for gsid in changed:
            manager_of[gsid] = _manager(fresh.get(gsid))
        reports: dict[str, list[str]] = defaultdict(list)
        for gsid, manager in manager_of.items():
            if manager:
                reports[manager].append(gsid)
        affected = set(changed)
        frontier = set(changed)
        for _ in range(LEVELS - 1):
            frontier = {r for m in frontier for r in reports.get(m, ())} - affected
            affected |= frontier
        gsids.update(_team_record_gsids(tenant_id, affected))
    if not gsids:
        return 0
    store = BulkStore(tenant_id, COMPANY_TEAM, actor)
    current = store.records(sorted(gsids))  # strongly consistent: the index may lag behind
    if not changed:  # no listing read: the members' chains, read level by level
        users = records.by_gsids(tenant_id, "User", sorted({str(r["UserId"]) for r in current.values()}))
        chain_of = chains(tenant_id, users)
    else:
        chain_of = {str(r["UserId"]): _walk(manager_of, str(r["UserId"])) for r in current.values()}
    changes = [
        (record, as_fields(chain_of.get(str(record.get("UserId")), (None,) * LEVELS)))
        for record in current.values()
        if record.get("UserId")
    ]
    written = store.upsert(changes)
    store.flush()
    return len(written)
