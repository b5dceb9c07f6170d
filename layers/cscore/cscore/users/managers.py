"""A user's manager chain (the User ``Manager`` field followed up, as GSIDs), kept as
UserManagerRole1..3 of Company Team records (SPEC §4.1): the member's manager, the
manager's manager and the third level. It lives with users because a change of a
user's Manager is what moves it.

They are set whenever a member is written (``chains``) and kept current when a
manager changes (``refresh_for_users``, called by the users API and the sync after
they change a user's Manager).

When user X's Manager changes, the chains that change are X's own and those of the
users below X down to two levels (X is their level 1 or 2; for a user three levels
below, X is level 3 and X's own manager is not in its chain). Their Company Team records
are exactly X's own (the "a user's companies" index) and those whose stored
UserManagerRole1 or UserManagerRole2 is X (the ``Manager1`` / ``Manager2`` index items
of the CompanyTeam object): found without reading any user who is not involved. They are
read again strongly consistently, their members' chains read level by level in batches,
and written through a ``BulkStore``: 100 records a read (at their keys, ``CompanyUser``:
the index items name the records' keys beside their GSIDs), 25 a write, and a record
whose chain did not change is not written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cscore.catalog import COMPANY_TEAM
from cscore.objects.bulk import BulkStore
from cscore.platform import records

LEVELS = 3
FIELDS = tuple(f"UserManagerRole{level}" for level in range(1, LEVELS + 1))
SYSTEM_ACTOR = "SYSTEM"


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


def _records_of_users(tenant_id: str, users: set[str]) -> list[str]:
    """Refs (``CompanyUser``, the record keys) of the Company Team records of these users
    (one index query each)."""
    found: list[str] = []
    for user in sorted(users):
        items = records.related(tenant_id, "CompanyTeam", "User", user, "GSI3", ("CompanyId", "UserId"))
        found.extend(ref for i in items if (ref := COMPANY_TEAM.shape.record_ref(i)))
    return found


def refresh_for_users(
    tenant_id: str, user_gsids: Iterable[str], actor: str = SYSTEM_ACTOR, team_records: Iterable[str] = ()
) -> int:
    """Recompute UserManagerRole1..3 of the Company Team records of these users (whose
    Manager changed) and of the users up to two levels below them, and of the given
    Company Team records (just written by a sync, named by their refs: ``CompanyUser`` =
    "<CompanyId>#<UserId>", ``COMPANY_TEAM.shape.record_ref``); returns how many records changed."""
    changed = sorted({g for g in user_gsids if g})
    refs = set(team_records)
    store = BulkStore(tenant_id, COMPANY_TEAM.shape, actor)
    if changed:
        refs.update(_records_of_users(tenant_id, set(changed)))
        for level in range(1, LEVELS):  # where a changed user is level 1 or 2 of the member
            found = store.find(f"Manager{level}", changed)
            refs.update(ref for team in found.values() for g in team if (ref := store.ref_of(g)))
    if not refs:
        return 0
    # Strongly consistent, at the records' keys: the indexes may lag behind.
    current = {str(r["Gsid"]): r for r in store.by_key(sorted(refs)).values()}
    users = records.by_gsids(tenant_id, "User", sorted({str(r["UserId"]) for r in current.values() if r.get("UserId")}))
    chain_of = chains(tenant_id, users)
    changes = [
        (record, as_fields(chain_of.get(str(record.get("UserId")), (None,) * LEVELS)))
        for record in current.values()
        if record.get("UserId")
    ]
    written = store.upsert(changes)
    store.flush()
    return len(written)
