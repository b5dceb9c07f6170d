"""Lookup index items under concurrent writers (issue 16, point 4): a bulk store's flush
(sync, bulk loads) changes an index item by the entries it adds and removes, applied to
what the item holds when written, so a Company API write to the same item between the
store's read and its flush is kept: every company is found by each of its lookup values,
and by nothing else."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.catalog import SHAPES
from cscore.companies import service as companies
from cscore.objects.bulk import BulkStore
from cscore.platform import keys, records, table
from cscore.tenants import service as tenants

NAMES = [f"Shared {n}" for n in range(4)]


@pytest.fixture
def admin(aws_tables: dict[str, str], serialized: None) -> Principal:
    return auth.authenticate({"accesskey": tenants.create_tenant("Index")["accessKey"]})


def _store(admin: Principal) -> BulkStore:
    return BulkStore(admin.tenant_id, SHAPES["Company"], admin.user_gsid)


def _index(admin: Principal, field: str, value: str) -> list[str]:
    item = table.read_one(keys.lookup_index(admin.tenant_id, "Company", field, value))
    return list((item or {}).get("gsids") or [])


def _check_every_lookup(admin: Principal, names: list[str], account_ids: list[str]) -> None:
    """Each company is in the index item of each of its values, and each index item names
    exactly the companies that have its value."""
    every = records.all_of(admin.tenant_id, "Company")
    for field, values in (("Name", names), ("SfdcAccountId", account_ids)):
        for value in values:
            having = sorted(c["Gsid"] for c in every if keys.normalized(c.get(field) or "") == keys.normalized(value))
            assert sorted(_index(admin, field, value)) == having, (field, value)


def test_an_api_write_between_a_store_read_and_its_flush_is_kept(admin: Principal) -> None:
    store = _store(admin)
    (bulk_co,) = store.upsert([(None, {"Name": "Shared 0", "SfdcAccountId": "001A"})])  # reads the Name item
    api_co = companies.insert_companies(admin, [{"Name": "shared 0"}])["records"][0]
    store.flush()
    assert _index(admin, "Name", "shared 0") == [api_co["Gsid"], bulk_co["Gsid"]]

    # The same for a removal: the store renames its company away while the API adds one.
    store = _store(admin)
    store.upsert([(store.records([bulk_co["Gsid"]])[bulk_co["Gsid"]], {"Name": "Elsewhere"})])
    late = companies.insert_companies(admin, [{"Name": "SHARED 0"}])["records"][0]
    store.flush()
    assert _index(admin, "Name", "shared 0") == [api_co["Gsid"], late["Gsid"]]
    assert _index(admin, "Name", "elsewhere") == [bulk_co["Gsid"]]
    # ... and an API write that empties an item the store then adds to.
    store = _store(admin)
    store.upsert([(store.records([bulk_co["Gsid"]])[bulk_co["Gsid"]], {"Name": "Lonely"})])
    companies.update_companies(admin, [{"Gsid": late["Gsid"], "Name": "Gone"}], "Gsid")
    companies.update_companies(admin, [{"Gsid": api_co["Gsid"], "Name": "Gone"}], "Gsid")
    store.flush()
    _check_every_lookup(admin, ["Shared 0", "Elsewhere", "Lonely", "Gone"], ["001A"])


def test_api_writes_and_bulk_flushes_on_the_same_names_at_once(admin: Principal) -> None:
    """Threads: the Company API creates and renames companies among a few names while bulk
    stores insert and rename theirs among the same names, flush after flush."""
    errors: list[BaseException] = []
    account_ids: list[str] = []
    inserted: list[str] = []  # by the API
    ids_lock = threading.Lock()

    def api(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[str] = []
        for _ in range(12):
            if mine and rng.random() < 0.4:
                answer = companies.update_companies(
                    admin, [{"Gsid": rng.choice(mine), "Name": rng.choice(NAMES)}], "Gsid"
                )
            else:
                answer = companies.insert_companies(admin, [{"Name": rng.choice(NAMES)}])
                mine.extend(c["Gsid"] for c in answer["records"])
                inserted.extend(c["Gsid"] for c in answer["records"])
            assert answer["records"], answer

    def bulk(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[str] = []
        for round_ in range(6):
            store = _store(admin)
            changes: list[tuple[dict[str, Any] | None, dict[str, Any]]] = []
            for gsid in rng.sample(mine, min(2, len(mine))):
                changes.append((store.records([gsid])[gsid], {"Name": rng.choice(NAMES)}))
            for n in range(3):
                account = f"001{seed}{round_}{n}"
                with ids_lock:
                    account_ids.append(account)
                changes.append((None, {"Name": rng.choice(NAMES), "SfdcAccountId": account}))
            mine.extend(c["Gsid"] for c in store.upsert(changes) if c["Gsid"] not in mine)
            store.flush()

    def guarded(work: Callable[[int], None], seed: int) -> None:
        try:
            work(seed)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(api, s)) for s in (1, 2)]
    threads += [threading.Thread(target=guarded, args=(bulk, s)) for s in (3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(records.all_of(admin.tenant_id, "Company")) == len(inserted) + 2 * 6 * 3
    _check_every_lookup(admin, NAMES, account_ids)
