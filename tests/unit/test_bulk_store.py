"""BulkStore (objects/bulk.py): batched writes of one object's records that leave exactly
the items the API paths write, so the users API, the Company API and the queries see them."""

from __future__ import annotations

import contextlib
import json
import math
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.catalog import SHAPES
from cscore.companies import service as companies
from cscore.errors import ApiError
from cscore.objects import bulk
from cscore.objects.bulk import BulkStore
from cscore.objects.bulk import calls as bulk_calls
from cscore.objects.bulk import writer as bulk_writer
from cscore.platform import aws, config, ids, keys, parallel, records, table
from cscore.platform.dynamo import Item
from cscore.tenants import service as tenants
from cscore.users import listing
from cscore.users import service as users

SYSTEM = {"Gsid", "CreatedDate", "CreatedBy", "ModifiedDate", "ModifiedBy"}


@pytest.fixture
def admin(aws_tables) -> Principal:
    return auth.authenticate({"accesskey": tenants.create_tenant("Bulk")["accessKey"]})


def _store(admin: Principal, obj: str) -> BulkStore:
    return BulkStore(admin.tenant_id, SHAPES[obj], admin.user_gsid)


def _write(admin: Principal, obj: str, changes: list[tuple[dict[str, Any] | None, dict[str, Any]]]) -> list[Any]:
    store = _store(admin, obj)
    written = store.upsert(changes)
    store.flush()
    return written


def _raw(item_key: Item) -> dict[str, Any] | None:
    return table.read_one(item_key)


def _lists_nobody(item_key: Item) -> bool:
    """An index item with no entry: gone, or (left by a bulk store's conditional update)
    holding no GSID."""
    item = _raw(item_key)
    return item is None or (not item.get("gsids") and not item.get("refs"))


def _names(item: dict[str, Any] | None) -> set[str]:
    """Attribute names (a NULL attribute, as the users API stores CompanyID, is no value)."""
    return {name for name, value in (item or {}).items() if value is not None}


def _gsi(admin: Principal, index: str, pk: str) -> list[dict[str, Any]]:
    return table.query_all(
        IndexName=index, KeyConditionExpression=f"{index}PK = :pk", ExpressionAttributeValues={":pk": {"S": pk}}
    )


# ------------------------------------------------------------------ User


def test_a_bulk_user_has_the_items_of_an_api_user_and_the_users_api_finds_it(admin) -> None:
    t = admin.tenant_id
    api = users.create_users(
        admin,
        {
            "records": [
                {"FirstName": "Ann", "LastName": "Lee", "Email": "ann@x.io", "SFDCUserName": "ann@x.io",
                 "SfdcUserId": "005A"}
            ]
        },
    )["records"][0]  # fmt: skip
    stored_api = records.by_gsids(t, "User", [api["Gsid"]])[api["Gsid"]]
    fields = {k: v for k, v in stored_api.items() if k not in SYSTEM}
    fields |= {"FirstName": "Bob", "LastName": "Ray", "Name": "Bob Ray", "Email": "Bob@x.io"}
    fields |= {"SFDCUserName": "bob@x.io", "SfdcUserId": "005B"}
    (bob,) = _write(admin, "User", [(None, fields)])
    assert bob["Gsid"].startswith("1P01") and bob["CreatedBy"] == bob["ModifiedBy"] == admin.user_gsid
    assert bob["CreatedDate"] == bob["ModifiedDate"]

    # Same attributes on the record, unique and index items as the users API writes.
    api_item, bulk_item = _raw(keys.user(t, api["Gsid"])), _raw(keys.user(t, bob["Gsid"]))
    assert _names(api_item) == _names(bulk_item)
    assert bulk_item and bulk_item["GSI1PK"] == bulk_item["GSI2PK"] == f"T#{t}#User"
    assert bulk_item["GSI2SK"] == keys.by_name("Bob Ray", bob["Gsid"])
    for field, mine, theirs in (("SFDCUserName", "bob@x.io", "ann@x.io"), ("SfdcUserId", "005B", "005A")):
        assert _names(_raw(keys.unique_value(t, "User", field, mine))) == {"PK", "SK", "gsid"}
        assert _names(_raw(keys.unique_value(t, "User", field, theirs))) == {"PK", "SK", "gsid"}
    for field, value in (("Email", "bob@x.io"), ("FullName", "bob ray")):
        item = _raw(keys.lookup_index(t, "User", field, value))
        assert item and item["gsids"] == [bob["Gsid"]] and _names(item) == {"PK", "SK", "gsids", "v"}
    assert records.count(t, "User") == 3  # the super admin, Ann, Bob

    # The users API: update by SFDCUserName and SfdcUserId, taken names, lookups, list.
    updated = users.update_users(admin, {"records": [{"SFDCUserName": "BOB@x.io", "Title": "CTO"}]}, "SFDCUserName")
    assert updated["records"][0]["Gsid"] == bob["Gsid"]
    users.update_users(admin, {"records": [{"SfdcUserId": "005B", "Locale": "fr"}]}, "SfdcUserId")
    with pytest.raises(ApiError) as taken:
        users.create_users(admin, {"records": [{"Name": "X", "Email": "x@x.io", "SFDCUserName": "bob@X.io"}]})
    assert "already taken" in taken.value.data["errors"][0]["errorMessage"]
    lookup = {"Manager": {"objectName": "User", "lookupField": "Gsid", "fields": {"ManagerEmail": "Email"}}}
    managed = users.create_users(
        admin,
        {"records": [{"Name": "M", "Email": "m@x.io", "SFDCUserName": "m@x.io", "ManagerEmail": "bob@x.io"}],
         "lookups": lookup},
    )["records"][0]  # fmt: skip
    assert managed["Manager"] == bob["Gsid"]
    listed = listing.list_users(admin, {"select": ["Name", "Title"], "orderBy": {"Name": "asc"}})["users"]
    assert [(u["Name"], u["Gsid"]) for u in listed if u["Name"] == "Bob Ray"] == [("Bob Ray", bob["Gsid"])]
    where = {"conditions": [{"name": "Locale", "operator": "EQ", "value": ["fr"]}]}
    assert [u["Gsid"] for u in listing.list_users(admin, {"select": ["Name"], "where": where})["users"]] == [
        bob["Gsid"]
    ]
    # The Company API resolves the CSM through the users' Email and FullName indexes.
    by_email, by_name = companies.insert_companies(
        admin, [{"Name": "C1", "CsmEmail": "BOB@x.io"}, {"Name": "C2", "CSMFirstName": "bob", "CSMLastName": "RAY"}]
    )["records"]
    assert by_email["Csm"] == by_name["Csm"] == bob["Gsid"]


def test_bulk_updates_move_unique_and_index_items_of_api_users(admin) -> None:
    t = admin.tenant_id
    created = users.create_users(
        admin,
        {"records": [
            {"FirstName": "Ann", "LastName": "Lee", "Email": "team@x.io", "SFDCUserName": "ann@x.io"},
            {"FirstName": "Cy", "LastName": "Lee", "Email": "team@x.io", "SFDCUserName": "cy@x.io"},
        ]},
    )["records"]  # fmt: skip
    ann, cy = (c["Gsid"] for c in created)
    store = _store(admin, "User")
    assert store.find("SFDCUserName", ["ANN@x.io", "nobody@x.io", ""]) == {"ann@x.io": [ann], "nobody@x.io": []}
    assert sorted(store.find("Email", ["team@x.io"])["team@x.io"]) == sorted([ann, cy])
    before = store.records([ann])[ann]
    changed = store.upsert(
        [(before, {"SFDCUserName": "ann.lee@x.io", "SfdcUserId": "005A", "Email": "ann@x.io", "LastName": "Wong"})]
    )
    assert changed[0]["LastName"] == "Wong" and changed[0]["CreatedDate"] == before["CreatedDate"]
    # The store's own view already holds the change; nothing is written before flush.
    assert store.find("SFDCUserName", ["ann.lee@x.io", "ann@x.io"]) == {"ann.lee@x.io": [ann], "ann@x.io": []}
    assert _raw(keys.unique_value(t, "User", "SFDCUserName", "ann@x.io")) is not None
    store.flush()
    assert _raw(keys.unique_value(t, "User", "SFDCUserName", "ann@x.io")) is None
    assert _raw(keys.unique_value(t, "User", "SfdcUserId", "005a"))["gsid"] == ann  # type: ignore[index]
    team = _raw(keys.lookup_index(t, "User", "Email", "team@x.io"))
    assert team and team["gsids"] == [cy] and team["v"] == 2
    assert _lists_nobody(keys.lookup_index(t, "User", "FullName", "ann lee"))
    assert _raw(keys.lookup_index(t, "User", "FullName", "ann wong"))["gsids"] == [ann]  # type: ignore[index]
    # The users API sees it: by the new names, not by the old ones, and can move it back.
    users.update_users(admin, {"records": [{"SfdcUserId": "005A", "Email": "team@x.io"}]}, "SfdcUserId")
    team = _raw(keys.lookup_index(t, "User", "Email", "team@x.io"))
    assert team and sorted(team["gsids"]) == sorted([ann, cy]) and team["v"] == 3
    with pytest.raises(ApiError):
        users.update_users(admin, {"records": [{"SFDCUserName": "ann@x.io", "Title": "x"}]}, "SFDCUserName")
    # Deleted: the record, its unique items and index entries, one off the counter.
    count = records.count(t, "User")
    store = _store(admin, "User")
    store.delete(list(store.records([ann]).values()))
    store.flush()
    assert _raw(keys.user(t, ann)) is None
    assert _raw(keys.unique_value(t, "User", "SFDCUserName", "ann.lee@x.io")) is None
    assert _raw(keys.unique_value(t, "User", "SfdcUserId", "005A")) is None
    assert _raw(keys.lookup_index(t, "User", "Email", "team@x.io"))["gsids"] == [cy]  # type: ignore[index]
    assert _lists_nobody(keys.lookup_index(t, "User", "FullName", "ann wong"))
    assert records.count(t, "User") == count - 1


# ------------------------------------------------------------------ Company


def test_bulk_companies_and_the_company_api_share_their_items(admin) -> None:
    t = admin.tenant_id
    (api,) = companies.insert_companies(admin, [{"Name": "Acme", "SfdcAccountId": "001A", "ARR": 5}])["records"]
    bulk_co, other = _write(
        admin,
        "Company",
        [(None, {"Name": "ACME ", "SfdcAccountId": "001B", "ARR": 7}), (None, {"Name": "Bolt", "Industry": None})],
    )
    api_item, bulk_item = _raw(keys.record(t, "Company", api["Gsid"])), _raw(keys.record(t, "Company", bulk_co["Gsid"]))
    assert _names(api_item) == _names(bulk_item) and "Industry" not in other
    assert bulk_item and bulk_item["GSI2SK"] == keys.by_name("ACME ", bulk_co["Gsid"])
    index = _raw(keys.lookup_index(t, "Company", "Name", "acme"))
    assert index and index["gsids"] == [api["Gsid"], bulk_co["Gsid"]] and index["v"] == 1
    assert records.count(t, "Company") == 3

    # The Company API updates a bulk company keyed by Name or SfdcAccountId.
    data = companies.update_companies(admin, [{"Name": "bolt", "Industry": "Tech"}], "Name")
    assert [r["Gsid"] for r in data["records"]] == [other["Gsid"]]
    data = companies.update_companies(admin, [{"SfdcAccountId": "001B", "Name": "Acme Two"}], "SfdcAccountId")
    assert data["records"][0]["Gsid"] == bulk_co["Gsid"]
    assert _raw(keys.lookup_index(t, "Company", "Name", "acme"))["gsids"] == [api["Gsid"]]  # type: ignore[index]
    # ... and resolves a bulk company as a parent by name; then deletes it.
    child = companies.insert_companies(admin, [{"Name": "Kid", "ParentCompanyName": "acme two"}])["records"][0]
    assert child["ParentCompany"] == bulk_co["Gsid"]
    companies.delete_company(admin, bulk_co["Gsid"])
    assert _lists_nobody(keys.lookup_index(t, "Company", "Name", "acme two"))
    assert _lists_nobody(keys.lookup_index(t, "Company", "SfdcAccountId", "001B"))

    # A bulk update of an API company (read by the store, not given by the caller).
    store = _store(admin, "Company")
    found = store.find("SfdcAccountId", ["001a"])
    (gsid,) = found["001a"]
    store.upsert([(store.records([gsid])[gsid], {"Name": "Acme Corp", "ARR": None, "Stage": "Live"})])
    store.flush()
    again = companies.update_companies(admin, [{"Name": "ACME corp", "Status": "Active"}], "Name")["records"][0]
    assert again["Gsid"] == api["Gsid"] and "ARR" not in again and again["Stage"] == "Live"
    assert _lists_nobody(keys.lookup_index(t, "Company", "Name", "acme"))


def test_unchanged_records_cost_no_write(admin, dynamodb_calls) -> None:
    rows = [{"Name": f"Co {i}", "SfdcAccountId": f"001{i:03d}", "ARR": i, "Website": None} for i in range(30)]
    written = _write(admin, "Company", [(None, row) for row in rows])
    store = _store(admin, "Company")
    dynamodb_calls.clear()
    current = store.records(w["Gsid"] for w in written)
    changes = [(current[w["Gsid"]], {**row, "ARR": float(row["ARR"])}) for w, row in zip(written, rows, strict=True)]
    assert store.upsert(changes) == []
    store.flush()
    assert dynamodb_calls == ["BatchGetItem"] and store.calls == {"BatchGetItem": 1} and store.items_written == 0
    # A changed value is written; a boolean is not the number 1.
    assert len(store.upsert([(current[written[1]["Gsid"]], {"ARR": True})])) == 1


def test_two_thousand_companies_cost_batched_calls(admin, dynamodb_calls) -> None:
    rows = [{"Name": f"Company {i:04d}", "SfdcAccountId": f"001{i:015d}"} for i in range(2000)]
    store = _store(admin, "Company")
    dynamodb_calls.clear()
    written = store.upsert([(None, row) for row in rows])
    store.flush()
    # The records, their Name and SfdcAccountId index items, and the word item of the
    # second word of each name ("0042": team search finds "Company 0042" by "00").
    items = 2000 * 4
    assert store.items_written == items
    # Records and word items with BatchWriteItem, the index items as conditional updates (TransactWriteItems).
    writes = store.calls["BatchWriteItem"] + store.calls["TransactWriteItems"]
    assert writes == 2000 * 2 / 25 + 2000 * 2 / 100 == 200 and store.calls["UpdateItem"] == 1
    assert store.calls["BatchGetItem"] == math.ceil(2000 * 2 / 100)  # the index items it extends
    assert dynamodb_calls.count("BatchWriteItem") == store.calls["BatchWriteItem"] == 2000 * 2 / 25
    assert dynamodb_calls.count("TransactWriteItems") == store.calls["TransactWriteItems"] == 2000 * 2 / 100
    assert records.count(admin.tenant_id, "Company") == 2000

    reader = _store(admin, "Company")
    found = reader.find("SfdcAccountId", [r["SfdcAccountId"] for r in rows])
    assert reader.calls == {"BatchGetItem": 20}
    assert [found[keys.normalized(r["SfdcAccountId"])] for r in rows] == [[w["Gsid"]] for w in written]
    reader.find("SfdcAccountId", [r["SfdcAccountId"] for r in rows])  # cached: no call
    current = reader.records(w["Gsid"] for w in written)
    assert reader.calls == {"BatchGetItem": 40}
    assert reader.upsert([(current[w["Gsid"]], row) for w, row in zip(written, rows, strict=True)]) == []
    reader.flush()
    assert reader.calls == {"BatchGetItem": 40} and reader.items_written == 0


def test_a_key_written_twice_in_one_flush_is_written_once(admin, aws_tables) -> None:
    sent: list[list[tuple[str, str]]] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        for requests in params["RequestItems"].values():
            item_keys = [r.get("PutRequest", {}).get("Item") or r["DeleteRequest"]["Key"] for r in requests]
            sent.append([(k["PK"]["S"], k["SK"]["S"]) for k in item_keys])

    def capture_updates(params: dict[str, Any], **_: Any) -> None:
        sent.append([(a["Update"]["Key"]["PK"]["S"], a["Update"]["Key"]["SK"]["S"]) for a in params["TransactItems"]])

    client = aws.dynamodb()
    client.meta.events.register("provide-client-params.dynamodb.BatchWriteItem", capture)
    client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", capture_updates)
    try:
        t = admin.tenant_id
        store = _store(admin, "Company")
        one, two = store.upsert([(None, {"Name": "Same"}), (None, {"Name": "same "})])
        store.upsert([(one, {"Industry": "A"})])
        store.upsert([(one, {"Industry": "B", "Name": "Other"})])  # the store's view, not the stale ``one``
        store.upsert([(two, {"Name": "Other"})])
        store.flush()
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.BatchWriteItem", capture)
        client.meta.events.unregister("provide-client-params.dynamodb.TransactWriteItems", capture_updates)
    flat = [k for call in sent for k in call]
    # Two records and "other"; "same" was entered and left within the flush: not written.
    assert len(flat) == len(set(flat)) == 3
    assert _lists_nobody(keys.lookup_index(t, "Company", "Name", "same"))
    other = _raw(keys.lookup_index(t, "Company", "Name", "other"))
    assert other and other["gsids"] == [one["Gsid"], two["Gsid"]]
    stored = records.by_gsids(t, "Company", [one["Gsid"]])[one["Gsid"]]
    assert stored["Industry"] == "B" and stored["Name"] == "Other"
    assert records.count(t, "Company") == 2


def test_calls_of_a_phase_go_at_once_and_phases_in_order(admin, aws_tables) -> None:
    """Record deletions, then unique and index items, then record puts: a call of a later
    phase starts only after every call of the earlier ones has ended, while calls of one
    phase are in flight together (at most parallel.CONCURRENT_CALLS)."""
    in_flight: dict[int, tuple[int, float]] = {}  # thread -> (phase, start)
    calls: list[tuple[int, float, float]] = []  # (phase, start, end)
    most = {"now": 0, "max": 0}
    lock = threading.Lock()

    def phase_of(request: dict[str, Any]) -> int:
        kind, body = next(iter(request.items()))
        is_record = (body.get("Item") or body["Key"])["SK"]["S"] == "RECORD"
        return 1 if not is_record else 0 if kind == "DeleteRequest" else 2

    def started(params: dict[str, Any], **_: Any) -> None:
        if "TransactItems" in params:  # index items: conditional updates
            phases = {1 for _ in params["TransactItems"]}
        else:
            (requests,) = params["RequestItems"].values()
            phases = {phase_of(r) for r in requests}
        assert len(phases) == 1  # a complete flush gives each phase calls of its own
        with lock:
            in_flight[threading.get_ident()] = (phases.pop(), time.perf_counter())
            most["now"] += 1
            most["max"] = max(most["max"], most["now"])
        time.sleep(0.02)  # long enough for the next call of the phase to start meanwhile

    def ended(**_: Any) -> None:
        with lock:
            phase, start = in_flight.pop(threading.get_ident())
            calls.append((phase, start, time.perf_counter()))
            most["now"] -= 1

    old = _write(admin, "Company", [(None, {"Name": f"Old {i}"}) for i in range(60)])
    client = aws.dynamodb()
    operations = ("BatchWriteItem", "TransactWriteItems")
    for operation in operations:
        client.meta.events.register(f"provide-client-params.dynamodb.{operation}", started)
        client.meta.events.register(f"after-call.dynamodb.{operation}", ended)
    try:
        store = _store(admin, "Company")
        store.delete(old)
        store.upsert([(None, {"Name": f"New {i}", "SfdcAccountId": f"001{i:03d}"}) for i in range(100)])
        store.flush()
    finally:
        for operation in operations:
            client.meta.events.unregister(f"provide-client-params.dynamodb.{operation}", started)
            client.meta.events.unregister(f"after-call.dynamodb.{operation}", ended)
    # 60 record deletions (3 calls); the word items of "Old <i>" deleted and of "New <i>"
    # put (160, 7 calls); 60 Name items emptied and 200 index items extended (260
    # conditional updates, 100 a transaction: 3); 100 record puts (4).
    assert sorted(phase for phase, _, _ in calls) == [0] * 3 + [1] * (7 + 3) + [2] * 4
    for phase, start, _ in calls:
        assert all(start >= end for earlier, _, end in calls if earlier < phase)
    assert 2 <= most["max"] <= parallel.CONCURRENT_CALLS
    assert records.count(admin.tenant_id, "Company") == 100
    assert _lists_nobody(keys.lookup_index(admin.tenant_id, "Company", "Name", "old 7"))
    assert _raw(keys.lookup_index(admin.tenant_id, "Company", "SfdcAccountId", "001042"))


def test_throttling_and_unprocessed_items_are_retried(admin, monkeypatch) -> None:
    client = aws.dynamodb()
    real_write = client.batch_write_item
    monkeypatch.setattr(bulk_calls, "backoff", lambda attempt: None)
    state = {"calls": 0}

    def flaky(**kwargs: Any) -> Any:
        state["calls"] += 1
        if state["calls"] == 1:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "BatchWriteItem")
        requests = next(iter(kwargs["RequestItems"].values()))
        if state["calls"] == 2 and len(requests) > 1:  # half of it comes back unprocessed
            real_write(RequestItems={config.tenant_table(): requests[: len(requests) // 2]})
            return {"UnprocessedItems": {config.tenant_table(): requests[len(requests) // 2 :]}}
        return real_write(**kwargs)

    monkeypatch.setattr(client, "batch_write_item", flaky)
    store = _store(admin, "Person")
    written = store.upsert([(None, {"Email": f"p{i}@x.io", "FirstName": "P"}) for i in range(5)])
    store.flush()
    assert store.calls["BatchWriteItem"] == 4 and store.items_written == 10
    assert set(records.by_gsids(admin.tenant_id, "Person", [w["Gsid"] for w in written])) == {
        w["Gsid"] for w in written
    }

    def refused(**kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "ValidationException"}}, "BatchWriteItem")

    monkeypatch.setattr(client, "batch_write_item", refused)
    store.upsert([(None, {"Email": "z@x.io"})])
    with pytest.raises(ClientError):
        store.flush()


# ------------------------------------------------------------------ Person, CompanyPerson, CompanyTeam


@pytest.fixture
def world(admin) -> dict[str, Any]:
    ann, bob = users.create_users(
        admin,
        {"records": [{"Name": "Ann", "Email": "ann@x.io", "SFDCUserName": "ann@x.io"},
                     {"Name": "Bob", "Email": "bob@x.io", "SFDCUserName": "bob@x.io"}]},
    )["records"]  # fmt: skip
    acme, bolt = companies.insert_companies(admin, [{"Name": "Acme"}, {"Name": "Bolt"}])["records"]
    return {"ann": ann["Gsid"], "bob": bob["Gsid"], "acme": acme["Gsid"], "bolt": bolt["Gsid"]}


def test_persons_are_unique_by_email_and_listed_by_name(admin) -> None:
    t = admin.tenant_id
    pia, ray = _write(
        admin,
        "Person",
        [(None, {"Email": "Pia@x.io", "FirstName": "Pia", "LastName": "Park", "Phone": "1"}),
         (None, {"Email": "ray@x.io", "LastName": "Ray"})],
    )  # fmt: skip
    assert pia["Gsid"].startswith("1P03")
    item = _raw(keys.record(t, "Person", pia["Gsid"]))
    assert item and item["GSI1PK"] == item["GSI2PK"] == f"T#{t}#Person"
    assert item["GSI2SK"] == keys.by_name("Pia Park", pia["Gsid"]) and "GSI3PK" not in item
    assert [i["Gsid"] for i in _gsi(admin, "GSI2", f"T#{t}#Person")] == [pia["Gsid"], ray["Gsid"]]
    assert _raw(keys.unique_value(t, "Person", "Email", "pia@x.io")) == {
        "PK": f"T#{t}#UNIQ#Person#Email#pia@x.io", "SK": "UNIQ", "gsid": pia["Gsid"]
    }  # fmt: skip
    store = _store(admin, "Person")
    assert store.find("Email", ["PIA@x.io", "none@x.io"]) == {"pia@x.io": [pia["Gsid"]], "none@x.io": []}
    with pytest.raises(ValueError, match="Phone"):
        store.find("Phone", ["1"])
    # Two persons swap e-mails in one upsert: each unique item ends up naming its new owner.
    store.upsert([(pia, {"Email": "ray@x.io", "Phone": None}), (ray, {"Email": "pia@x.io"})])
    store.flush()
    assert _raw(keys.unique_value(t, "Person", "Email", "ray@x.io"))["gsid"] == pia["Gsid"]  # type: ignore[index]
    assert _raw(keys.unique_value(t, "Person", "Email", "pia@x.io"))["gsid"] == ray["Gsid"]  # type: ignore[index]
    assert "Phone" not in records.by_gsids(t, "Person", [pia["Gsid"]])[pia["Gsid"]]
    store = _store(admin, "Person")
    store.delete([*store.records([pia["Gsid"], ray["Gsid"]]).values(), pia])  # pia twice: deleted once
    store.flush()
    assert _raw(keys.unique_value(t, "Person", "Email", "ray@x.io")) is None
    assert _raw(keys.unique_value(t, "Person", "Email", "pia@x.io")) is None
    assert records.count(t, "Person") == 0 and records.all_of(t, "Person") == []
    assert store.upsert([(pia, {"Title": "gone"})]) == []  # deleted by this store: not brought back


def test_company_persons_are_listed_by_company_and_by_person(admin, world) -> None:
    t = admin.tenant_id
    (pia,) = _write(admin, "Person", [(None, {"Email": "pia@x.io", "FirstName": "Pia"})])
    at_acme, at_bolt = _write(
        admin,
        "CompanyPerson",
        [(None, {"CompanyId": world["acme"], "PersonId": pia["Gsid"], "SfdcContactId": "003A", "Title": "CEO"}),
         (None, {"CompanyId": world["bolt"], "PersonId": pia["Gsid"], "SfdcContactId": "003B"})],
    )  # fmt: skip
    assert at_acme["Gsid"].startswith("1P04")
    item = _raw(keys.record(t, "CompanyPerson", at_acme["Gsid"]))
    assert item and item["GSI1PK"] == f"T#{t}#CompanyPerson"
    assert (item["GSI2PK"], item["GSI2SK"]) == (
        keys.related(t, "CompanyPerson", "Company", world["acme"]),
        item["Gsid"],
    )
    assert (item["GSI3PK"], item["GSI3SK"]) == (keys.related(t, "CompanyPerson", "Person", pia["Gsid"]), item["Gsid"])
    by_person = _gsi(admin, "GSI3", keys.related(t, "CompanyPerson", "Person", pia["Gsid"]))
    assert sorted(i["Gsid"] for i in by_person) == sorted([at_acme["Gsid"], at_bolt["Gsid"]])
    store = _store(admin, "CompanyPerson")
    assert store.find("SfdcContactId", ["003A"]) == {"003a": [at_acme["Gsid"]]}
    store.upsert([(at_bolt, {"CompanyId": world["acme"], "SfdcContactId": "003C"})])
    store.flush()
    by_company = _gsi(admin, "GSI2", keys.related(t, "CompanyPerson", "Company", world["acme"]))
    assert sorted(i["Gsid"] for i in by_company) == sorted([at_acme["Gsid"], at_bolt["Gsid"]])
    assert _gsi(admin, "GSI2", keys.related(t, "CompanyPerson", "Company", world["bolt"])) == []
    assert _raw(keys.unique_value(t, "CompanyPerson", "SfdcContactId", "003B")) is None
    store = _store(admin, "CompanyPerson")
    store.delete([at_acme])
    store.flush()
    assert _raw(keys.unique_value(t, "CompanyPerson", "SfdcContactId", "003A")) is None
    assert records.count(t, "CompanyPerson") == 1


def test_company_teams_are_keyed_by_company_and_user(admin, world) -> None:
    t = admin.tenant_id
    member = {"TeamRole": "Account Manager", "UserAccess": "Member", "UserSource": "Salesforce"}
    ann_acme, bob_acme, ann_bolt = _write(
        admin,
        "CompanyTeam",
        [(None, {"CompanyId": world["acme"], "UserId": world["ann"], **member, "SfdcAccountTeamMemberId": "01MA"}),
         (None, {"CompanyId": world["acme"], "UserId": world["bob"], **member, "UserSource": "Manual"}),
         (None, {"CompanyId": world["bolt"], "UserId": world["ann"], **member})],
    )  # fmt: skip
    assert ann_acme["Gsid"].startswith("1P05")
    team = _gsi(admin, "GSI2", keys.related(t, "CompanyTeam", "Company", world["acme"]))
    assert [i["UserId"] for i in team] == sorted([world["ann"], world["bob"]])
    companies_of_ann = _gsi(admin, "GSI3", keys.related(t, "CompanyTeam", "User", world["ann"]))
    assert [i["CompanyId"] for i in companies_of_ann] == sorted([world["acme"], world["bolt"]])
    # The record item is keyed by "<CompanyId>#<UserId>" and keeps its random GSID; there is
    # no CompanyUser unique item and no item keyed by the GSID.
    pair = f"{world['acme']}#{world['bob']}"
    item = _raw(SHAPES["CompanyTeam"].record_key(t, pair))
    assert item and item["PK"] == f"T#{t}#CompanyTeam#{world['acme'].lower()}#{world['bob'].lower()}"
    assert item["SK"] == "RECORD" and item["Gsid"] == bob_acme["Gsid"]
    assert _raw(keys.record(t, "CompanyTeam", bob_acme["Gsid"])) is None
    assert _raw(keys.unique_value(t, "CompanyTeam", "CompanyUser", pair)) is None
    ann_pair = f"{world['acme']}#{world['ann']}"
    assert _raw(keys.unique_value(t, "CompanyTeam", "SfdcAccountTeamMemberId", "01MA")) == {
        "PK": f"T#{t}#UNIQ#CompanyTeam#SfdcAccountTeamMemberId#01ma", "SK": "UNIQ", "gsid": ann_acme["Gsid"],
        "ref": ann_pair,
    }  # fmt: skip
    # find by CompanyUser reads the record items; records() then costs nothing more.
    store = _store(admin, "CompanyTeam")
    bolt_pair = f"{world['bolt']}#{world['ann']}"
    assert store.find("CompanyUser", [bolt_pair, "x#y"]) == {keys.normalized(bolt_pair): [ann_bolt["Gsid"]], "x#y": []}
    assert store.records([ann_bolt["Gsid"]]) == {ann_bolt["Gsid"]: ann_bolt}
    assert store.calls == {"BatchGetItem": 1}
    # ... and through the unique item, which names the record's key.
    assert store.find("SfdcAccountTeamMemberId", ["01ma"]) == {"01ma": [ann_acme["Gsid"]]}
    assert store.records([ann_acme["Gsid"], "1P05UNSEEN"]) == {ann_acme["Gsid"]: ann_acme}
    assert store.by_key([pair, bolt_pair.lower(), "x#y"]) == {pair: bob_acme, bolt_pair.lower(): ann_bolt}
    # The key never changes on an update: moving a member to another user is a delete and
    # an insert.
    with pytest.raises(ValueError, match="CompanyUser"):
        store.upsert([(bob_acme, {"UserId": admin.user_gsid})])
    assert store.pending == 0
    store.delete([bob_acme])
    fields = {k: v for k, v in bob_acme.items() if k not in SYSTEM}
    (moved,) = store.upsert([(None, {**fields, "UserId": admin.user_gsid})])
    store.flush()
    assert moved["Gsid"] != bob_acme["Gsid"]
    assert _raw(SHAPES["CompanyTeam"].record_key(t, pair)) is None
    assert _gsi(admin, "GSI3", keys.related(t, "CompanyTeam", "User", world["bob"])) == []
    assert len(_gsi(admin, "GSI3", keys.related(t, "CompanyTeam", "User", admin.user_gsid))) == 1
    store = _store(admin, "CompanyTeam")
    store.delete([ann_acme, ann_bolt])
    store.flush()
    assert _gsi(admin, "GSI3", keys.related(t, "CompanyTeam", "User", world["ann"])) == []
    assert _raw(keys.unique_value(t, "CompanyTeam", "SfdcAccountTeamMemberId", "01MA")) is None
    assert records.count(t, "CompanyTeam") == 1


def test_a_company_team_record_is_one_item(admin, world, dynamodb_calls) -> None:
    t = admin.tenant_id
    people = [ids.new_gsid(ids.USER) for _ in range(50)]
    pairs = [(company, user) for company in (world["acme"], world["bolt"]) for user in people]
    rows = [{"CompanyId": c, "UserId": u, "UserAccess": "Member", "UserSource": "Manual"} for c, u in pairs]
    store = _store(admin, "CompanyTeam")
    dynamodb_calls.clear()
    written = store.upsert([(None, row) for row in rows])
    store.flush()
    # 100 records of users without managers: 100 items, 4 calls (and one read of their keys).
    assert store.items_written == 100
    assert store.calls == {"BatchGetItem": 1, "BatchWriteItem": 4, "UpdateItem": 1}
    assert dynamodb_calls.count("BatchWriteItem") == 4
    gsids = [w["Gsid"] for w in written]
    assert len(set(gsids)) == 100 and gsids == sorted(gsids) and all(g.startswith("1P05") for g in gsids)
    assert records.count(t, "CompanyTeam") == 100

    # An upsert of an existing (CompanyId, UserId) updates that record, even as an insert.
    first = written[0]
    again = _store(admin, "CompanyTeam")
    (updated,) = again.upsert([(None, {"CompanyId": first["CompanyId"], "UserId": first["UserId"], "TeamRole": "R"})])
    again.flush()
    assert updated["Gsid"] == first["Gsid"] and updated["CreatedDate"] == first["CreatedDate"]
    assert updated["TeamRole"] == "R" and updated["UserAccess"] == "Member"
    assert again.calls == {"BatchGetItem": 1, "BatchWriteItem": 1} and again.items_written == 1
    assert records.count(t, "CompanyTeam") == 100
    stored = _raw(SHAPES["CompanyTeam"].record_key(t, f"{first['CompanyId']}#{first['UserId']}"))
    assert stored and stored["Gsid"] == first["Gsid"] and stored["TeamRole"] == "R"
    # Twice in one upsert: one record; the same values again: nothing written.
    again = _store(admin, "CompanyTeam")
    new = {"CompanyId": world["acme"], "UserId": admin.user_gsid, "UserAccess": "Admin"}
    one, two = again.upsert([(None, new), (None, {**new, "TeamRole": "R"})])
    assert one["Gsid"] == two["Gsid"] and again.upsert([(None, {**new, "TeamRole": "R"})]) == []
    again.flush()
    assert records.count(t, "CompanyTeam") == 101 and again.items_written == 1


def test_manager_index_items_name_the_keys_of_keyed_records(admin, world) -> None:
    t = admin.tenant_id
    boss = ids.new_gsid(ids.USER)
    member = {"UserAccess": "Member", "UserSource": "Manual", "UserManagerRole1": boss}
    ann, bob = _write(
        admin,
        "CompanyTeam",
        [(None, {"CompanyId": world["acme"], "UserId": world["ann"], **member}),
         (None, {"CompanyId": world["acme"], "UserId": world["bob"], **member})],
    )  # fmt: skip
    index = _raw(keys.lookup_index(t, "CompanyTeam", "Manager1", boss))
    assert index and index["gsids"] == [ann["Gsid"], bob["Gsid"]] and index["v"] == 1  # one write
    assert index["refs"] == {
        ann["Gsid"]: f"{world['acme']}#{world['ann']}",
        bob["Gsid"]: f"{world['acme']}#{world['bob']}",
    }
    company_index = _raw(keys.lookup_index(t, "CompanyTeam", "CompanyManager1", f"{world['acme']}#{boss}"))
    assert company_index and company_index["gsids"] == [ann["Gsid"], bob["Gsid"]]
    store = _store(admin, "CompanyTeam")
    found = store.find("Manager1", [boss])[keys.normalized(boss)]
    assert store.records(found) == {ann["Gsid"]: ann, bob["Gsid"]: bob}
    assert store.ref_of(bob["Gsid"]) == f"{world['acme']}#{world['bob']}"
    store.upsert([(bob, {"UserManagerRole1": None})])
    store.flush()
    index = _raw(keys.lookup_index(t, "CompanyTeam", "Manager1", boss))
    assert index and index["gsids"] == [ann["Gsid"]] and set(index["refs"]) == {ann["Gsid"]} and index["v"] == 2


def test_partial_flushes_send_full_batches_only(admin, world, aws_tables) -> None:
    t = admin.tenant_id
    sent: list[list[str]] = []

    def capture(params: dict[str, Any], **_: Any) -> None:
        for requests in params["RequestItems"].values():
            kinds = []
            for r in requests:
                kind, body = next(iter(r.items()))
                item_key = body.get("Item") or body["Key"]
                kinds.append(("record " if item_key["SK"]["S"] == "RECORD" else "aux ") + kind[:3].lower())
            sent.append(kinds)

    client = aws.dynamodb()
    client.meta.events.register("provide-client-params.dynamodb.BatchWriteItem", capture)
    try:
        people = [ids.new_gsid(ids.USER) for _ in range(120)]
        store = _store(admin, "CompanyTeam")
        for start in range(0, 120, 30):  # chunks of 30 records, flushed after each
            chunk = [
                {"CompanyId": world["acme"], "UserId": u, "UserSource": "Manual"} for u in people[start : start + 30]
            ]
            store.upsert([(None, row) for row in chunk])
            store.flush(complete=False)
            assert store.pending < 25 and store.calls["BatchWriteItem"] == start // 30 + 1
        # Each partial flush counts the records it sent, right after them: a crash before the
        # complete flush cannot lose their count.
        assert store.pending == 20 and store.items_written == 100 and store.calls["UpdateItem"] == 4
        assert records.count(t, "CompanyTeam") == 100
        store.flush()
        assert store.calls["BatchWriteItem"] == 5 == math.ceil(120 / 25) and store.calls["UpdateItem"] == 5
        assert store.pending == 0 and store.items_written == 120 and records.count(t, "CompanyTeam") == 120

        # The order holds over the whole pending set: record deletions, unique and index
        # items, record puts; what is kept is the tail.
        doomed = list(store.by_key(f"{world['acme']}#{u}" for u in people[:10]).values())
        assert len(doomed) == 10
        sent.clear()
        store = _store(admin, "CompanyTeam")
        store.delete(doomed)
        rows = [
            {"CompanyId": world["bolt"], "UserId": u, "UserSource": "Salesforce", "SfdcAccountTeamMemberId": f"01M{i}"}
            for i, u in enumerate(people[:21])
        ]
        store.upsert([(None, row) for row in rows])
        assert store.pending == 52
        store.flush(complete=False)
        assert sent == [["record del"] * 10 + ["aux put"] * 15, ["aux put"] * 6 + ["record put"] * 19]
        assert store.pending == 2 and records.count(t, "CompanyTeam") == 120 - 10 + 19
        store.flush()
        assert sent[2:] == [["record put"] * 2] and records.count(t, "CompanyTeam") == 131
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.BatchWriteItem", capture)


def test_the_counter_goes_with_the_records_each_flush_wrote(admin, world, monkeypatch) -> None:
    """Partial flushes from the write-behind thread, a call that fails after part of it
    landed, a throttled counter update: the counter always equals the records written."""
    t = admin.tenant_id
    monkeypatch.setattr(bulk_calls, "backoff", lambda attempt: None)
    people = [ids.new_gsid(ids.USER) for _ in range(80)]

    def rows(company: str, users: list[str]) -> list[tuple[None, dict[str, Any]]]:
        return [(None, {"CompanyId": company, "UserId": u, "UserSource": "Manual"}) for u in users]

    def in_table() -> int:
        return len(records.all_of(t, "CompanyTeam"))

    # Write-behind, partial flushes only, then the invocation ends without a complete flush.
    store = BulkStore(t, SHAPES["CompanyTeam"], admin.user_gsid, write_behind=True)
    store.upsert(rows(world["acme"], people[:40]))
    store.flush(complete=False)
    store.close()
    assert in_table() == 25 == records.count(t, "CompanyTeam")

    # One call of a flush (of three, sent at the same time): 10 of its 25 items land, the
    # retry of the other 15 fails for good.
    client = aws.dynamodb()
    real_write = client.batch_write_item
    state: dict[str, Any] = {"partial": False, "unprocessed": None}

    def breaks(**kwargs: Any) -> Any:
        requests = next(iter(kwargs["RequestItems"].values()))
        if requests == state["unprocessed"]:
            raise ClientError({"Error": {"Code": "ValidationException"}}, "BatchWriteItem")
        if len(requests) == 25 and not state["partial"]:
            state["partial"], state["unprocessed"] = True, requests[10:]
            real_write(RequestItems={config.tenant_table(): requests[:10]})
            return {"UnprocessedItems": {config.tenant_table(): requests[10:]}}
        return real_write(**kwargs)

    monkeypatch.setattr(client, "batch_write_item", breaks)
    store = _store(admin, "CompanyTeam")
    store.upsert(rows(world["bolt"], people[:60]))
    with pytest.raises(ClientError):
        store.flush()
    assert in_table() == 25 + 60 - 15 == records.count(t, "CompanyTeam")
    monkeypatch.setattr(client, "batch_write_item", real_write)

    # A throttled counter update is retried like the batch calls.
    real_update = client.update_item
    throttled = {"left": 2}

    def throttles(**kwargs: Any) -> Any:
        if throttled["left"]:
            throttled["left"] -= 1
            raise ClientError({"Error": {"Code": "ThrottlingException"}}, "UpdateItem")
        return real_update(**kwargs)

    monkeypatch.setattr(client, "update_item", throttles)
    store = _store(admin, "CompanyTeam")
    store.delete(list(store.by_key(f"{world['bolt']}#{u}" for u in people[:5]).values()))
    store.upsert(rows(world["bolt"], people[60:80]))
    store.flush()
    assert store.calls["UpdateItem"] == 3 and in_table() == 70 - 5 + 20 == records.count(t, "CompanyTeam")


def test_shapes_leave_records_without_references_out_of_related_indexes(admin) -> None:
    shape = SHAPES["CompanyTeam"]
    record = {"Gsid": "G", "ModifiedDate": "2027-01-01T00:00:00.000Z", "CompanyId": "C", "UserId": ""}
    assert set(shape.secondary_keys("t", record)) == {"GSI1PK", "GSI1SK"}
    assert shape.unique_values(record) == {}
    assert SHAPES["User"].index_values({"Email": " ", "FirstName": "A", "LastName": "B"}) == {"FullName": "A B"}


def test_nothing_is_sent_after_a_write_behind_flush_failed(admin, world, monkeypatch) -> None:
    """A flush that failed leaves the store's view ahead of the table: a later flush built
    on it (here the re-insert of a record whose deletion failed) must not go out, or the
    table and the counter disagree."""
    t = admin.tenant_id
    member = {"CompanyId": world["acme"], "UserId": ids.new_gsid(ids.USER), "UserSource": "Manual"}
    _write(admin, "CompanyTeam", [(None, member)])
    assert records.count(t, "CompanyTeam") == 1
    client = aws.dynamodb()
    real_write = client.batch_write_item
    calls = {"n": 0}

    def first_fails(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ClientError({"Error": {"Code": "InternalServerError"}}, "BatchWriteItem")
        return real_write(**kwargs)

    monkeypatch.setattr(client, "batch_write_item", first_fails)
    store = BulkStore(t, SHAPES["CompanyTeam"], admin.user_gsid, write_behind=True)
    (found,) = store.by_key([f"{member['CompanyId']}#{member['UserId']}"]).values()
    store.delete([found])
    monkeypatch.setattr(bulk_writer, "BATCH_WRITE_LIMIT", 1)
    with contextlib.suppress(ClientError):  # its error may or may not be collected yet
        store.flush(complete=False)  # the deletion's call fails on the writer thread
    store.upsert([(None, member)])  # the store believes the record is gone: an insert
    with contextlib.suppress(ClientError, bulk.BatchFailed):
        store.flush(complete=False)
    with pytest.raises((ClientError, bulk.BatchFailed)):
        store.close()  # waits for every send of the writer thread
    assert calls["n"] == 1  # nothing after the failed call was sent
    assert len(records.all_of(t, "CompanyTeam")) == 1 == records.count(t, "CompanyTeam")


@pytest.fixture(autouse=True)
def _no_sleep(monkeypatch) -> Iterator[None]:
    monkeypatch.setattr(bulk_calls, "backoff", lambda attempt: None)
    yield


def test_an_index_transaction_stays_under_its_request_size(admin) -> None:
    """100 index items of 1,500 GSIDs each would be a request of about 7 MB (the list set and
    the list the condition compares): the writer splits them into transactions that each
    stay under DynamoDB's 4 MB, and every item gets its entries."""
    sizes: list[int] = []

    def measure(params: dict[str, Any], **_: Any) -> None:
        sizes.append(len(json.dumps(params["TransactItems"])))

    made = bulk_calls.Calls()
    writer = bulk_writer.Writer(admin.tenant_id, "Company", made, reread=lambda _: {})
    values = [f"industry {n}" for n in range(100)]
    for value in values:
        listed = [ids.new_gsid(SHAPES["Company"].gsid_prefix) for _ in range(1500)]
        key = keys.lookup_index(admin.tenant_id, "Company", "Industry", value)
        writer.buffer_index(key, None, {"gsids": listed}, with_refs=False)
    client = aws.dynamodb()
    client.meta.events.register("provide-client-params.dynamodb.TransactWriteItems", measure)
    try:
        writer.flush()
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.TransactWriteItems", measure)
    assert made.made["TransactWriteItems"] == len(sizes) >= 2
    assert max(sizes) < 4 * 1024 * 1024 and sum(sizes) > 4 * 1024 * 1024
    for value in values:
        assert len(_raw(keys.lookup_index(admin.tenant_id, "Company", "Industry", value))["gsids"]) == 1500
