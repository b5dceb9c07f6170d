"""Team search by GSID, name prefix or a prefix of any word of the name (SPEC §4.4, §4b
"Reads at scale"): what a word is, that every writer keeps the word items (Company API,
users API, bulk store, sync-style write-behind stores), that search answers what a
brute-force filter over every record answers, and that it reads in proportion to the
matches — against in-process moto."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any
from unittest import mock

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.catalog import SHAPES
from cscore.catalog.shapes import MAX_WORDS, word_starts
from cscore.companies import service as companies
from cscore.errors import ApiError
from cscore.objects import candidates
from cscore.objects.bulk import BulkStore
from cscore.platform import aws, config, records
from cscore.teams import search
from cscore.teams.models import Search
from cscore.tenants import service as tenants
from cscore.users import service as users


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Acme", []),
        ("Acme Corp, Inc.", ["corp, inc.", "inc."]),
        ("O'Brien-Smith & Sons", ["brien-smith & sons", "smith & sons", "sons"]),
        ("  Acme", ["acme"]),  # a name with leading spaces is found by its first word too
        ("株式会社トヨタ", []),  # one word: its name prefix finds it
        ("トヨタ　ホールディングス", ["ホールディングス"]),  # an ideographic space separates words
        ("a_b", ["b"]),
        (" ".join(f"w{i}" for i in range(20)), [" ".join(f"w{i}" for i in range(k, 20)) for k in range(1, 9)]),
    ],
)
def test_a_word_starts_at_a_letter_or_digit_after_anything_else(name: str, expected: list[str]) -> None:
    assert word_starts(name) == expected
    assert len(word_starts(name)) <= MAX_WORDS


def test_word_items_change_only_with_the_name() -> None:
    shape = SHAPES["Company"]
    old = {"Gsid": "G", "Name": "Acme Corp Inc", "Industry": "x"}
    assert shape.word_changes("t", old, {**old, "Industry": "y"}) == ([], [])
    assert shape.word_changes("t", old, {**old, "Name": "ACME CORP INC"}) == ([], [])
    removes, puts = shape.word_changes("t", old, {**old, "Name": "Big Corp"})
    assert [k["SK"]["S"] for k in removes] == ["corp inc\x01G", "inc\x01G"]
    assert [(i["PK"]["S"], i["SK"]["S"], i["nameKey"]["S"]) for i in puts] == [
        ("T#t#WORD#Company#Name#c", "corp\x01G", "big corp\x01G")
    ]
    removes, puts = shape.word_changes("t", old, None)
    assert len(removes) == 2 and puts == []


# --------------------------------------------------------------------------- the oracle

_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")  # a letter or digit not after one


def _expected(every: list[dict[str, Any]], text: str, visible: set[str] | None, most: int) -> list[str]:
    """Brute force: the names, in name order, of the records the caller sees whose name,
    or the rest of it from one of its first words after the first, starts with ``text``."""
    wanted = text.strip().lower()

    def hit(name: str) -> bool:
        lowered = name.lower()
        starts = [m.start() for m in _WORD_START.finditer(lowered) if m.start() > 0][:MAX_WORDS]
        return lowered.startswith(wanted) or any(lowered[i:].startswith(wanted) for i in starts)

    found = [r for r in every if hit(str(r.get("Name") or "")) and (visible is None or r["Gsid"] in visible)]
    return [r["Gsid"] for r in sorted(found, key=lambda r: (str(r["Name"]).lower(), r["Gsid"]))][:most]


@pytest.fixture
def tenant_reads() -> Iterator[list[tuple[str, list[str]]]]:
    """(operation, partition keys) of every DynamoDB read cscore makes."""
    seen: list[tuple[str, list[str]]] = []

    def note(params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name not in ("Query", "GetItem", "BatchGetItem"):
            return
        pks: list[str] = []
        if "KeyConditionExpression" in params:
            pks.append(params["ExpressionAttributeValues"][":pk"]["S"])
        for request in (params.get("RequestItems") or {}).values():
            pks += [k["PK"]["S"] for k in request["Keys"]]
        if "Key" in params:
            pks.append(params["Key"]["PK"]["S"])
        seen.append((model.name, pks))

    client = aws.dynamodb()
    client.meta.events.register("provide-client-params.dynamodb", note)
    yield seen
    client.meta.events.unregister("provide-client-params.dynamodb", note)


def _word_items(tenant_id: str) -> set[tuple[str, str, str]]:
    """(PK, SK, nameKey) of every Company word item of the tenant (a Scan: a test may)."""
    pages = (
        boto3.client("dynamodb")
        .get_paginator("scan")
        .paginate(
            TableName=config.tenant_table(),
            FilterExpression="begins_with(PK, :p)",
            ExpressionAttributeValues={":p": {"S": f"T#{tenant_id}#WORD#Company#"}},
        )
    )
    return {(i["PK"]["S"], i["SK"]["S"], i["nameKey"]["S"]) for page in pages for i in page["Items"]}


def _words_of(tenant_id: str, every: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """The word items the records should have: one per word start after the first."""
    wanted = set()
    for r in every:
        lowered, gsid = str(r.get("Name") or "").lower(), r["Gsid"]
        for m in [m for m in _WORD_START.finditer(lowered) if m.start() > 0][:MAX_WORDS]:
            rest = lowered[m.start() :]
            wanted.add((f"T#{tenant_id}#WORD#Company#Name#{rest[0]}", f"{rest}\x01{gsid}", f"{lowered}\x01{gsid}"))
    return wanted


def _in_tenant(seen: list[tuple[str, list[str]]], tenant_id: str) -> bool:
    return all(pk == f"T#{tenant_id}" or pk.startswith(f"T#{tenant_id}#") for _, pks in seen for pk in pks)


# --------------------------------------------------------------------------- the property

WORDS = ["Acme", "acme", "Corp", "Co", "ab", "A", "株式会社トヨタ", "O'Brien", "x-y", "Zeta", "9lives"]
SEPARATORS = [" ", ", ", "-", "  ", " & ", "　"]
TEXTS = ["a", "ac", "acme", "co", "corp", "acme c", "ab a", "株式", "トヨタ", "brien", "y", "9", "z", "-", "o'b"]


@st.composite
def names(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4))
    text = parts[0]
    for part in parts[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + part
    return text


operations = st.one_of(
    st.tuples(st.just("api insert"), st.lists(names(), min_size=1, max_size=3)),
    st.tuples(st.just("api rename"), st.integers(0, 30), names()),
    st.tuples(st.just("api delete"), st.integers(0, 30)),
    st.tuples(st.just("bulk insert"), st.lists(names(), min_size=1, max_size=4)),
    st.tuples(st.just("bulk rename"), st.lists(st.tuples(st.integers(0, 30), names()), min_size=1, max_size=3)),
    st.tuples(st.just("bulk delete"), st.lists(st.integers(0, 30), min_size=1, max_size=2)),
    st.tuples(st.just("sync write"), st.lists(st.tuples(st.integers(0, 30), names()), min_size=1, max_size=3)),
)


def _apply(admin: Principal, operation: tuple[Any, ...], alive: list[str]) -> None:
    kind = operation[0]
    tenant_id = admin.tenant_id
    pick = (lambda n: alive[n % len(alive)]) if alive else None
    if kind == "api insert":
        data = companies.insert_companies(admin, [{"Name": n} for n in operation[1]])
        alive += [r["Gsid"] for r in data["records"]]
    elif kind == "api rename" and pick:
        gsid = pick(operation[1])
        data = companies.update_companies(admin, [{"Gsid": gsid, "Name": operation[2]}], "Gsid")
        assert data["errors"] in (None, []), data
    elif kind == "api delete" and pick:
        gsid = pick(operation[1])
        companies.delete_company(admin, gsid)
        alive.remove(gsid)
    elif kind == "bulk insert":
        store = BulkStore(tenant_id, SHAPES["Company"], admin.user_gsid)
        alive += [r["Gsid"] for r in store.upsert([(None, {"Name": n}) for n in operation[1]])]
        store.flush()
    elif kind in ("bulk rename", "sync write") and pick:
        # A sync writes behind (flushes overlap the next reads) and records its job.
        sync = kind == "sync write"
        store = BulkStore(tenant_id, SHAPES["Company"], admin.user_gsid, write_behind=sync, owner="J" if sync else None)
        targets = {pick(n): name for n, name in operation[1]}
        found = store.records(list(targets))
        store.upsert([(found[g], {"Name": name}) for g, name in targets.items()])
        if sync:
            store.upsert([(None, {"Name": name}) for name in targets.values()][:1])
            store.flush(complete=False)
        store.flush()
        store.close()
        alive[:] = [r["Gsid"] for r in records.all_of(tenant_id, "Company")]
    elif kind == "bulk delete" and pick:
        store = BulkStore(tenant_id, SHAPES["Company"], admin.user_gsid)
        doomed = {pick(n) for n in operation[1]}
        store.delete(list(store.records(sorted(doomed)).values()))
        store.flush()
        alive[:] = [g for g in alive if g not in doomed]


def _make_admin_of(admin: Principal, tenant: dict[str, str], companies_: list[str]) -> Principal:
    made = users.create_users(
        admin, {"records": [{"Name": "Team Lead", "Email": "lead@x.io", "SFDCUserName": "lead@x.io"}]}, notify="false"
    )
    lead = made["records"][0]["Gsid"]
    team = BulkStore(admin.tenant_id, SHAPES["CompanyTeam"], admin.user_gsid)
    team.upsert([(None, {"CompanyId": c, "UserId": lead, "UserAccess": "Admin"}) for c in companies_])
    team.flush()
    return auth.authenticate({"accesskey": tenants.create_user_key(tenant["tenantId"], lead)})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(operations, min_size=1, max_size=8),
    texts=st.lists(st.sampled_from(TEXTS), min_size=3, max_size=3),
    most=st.sampled_from([2, 3, 50]),
    scoped=st.sampled_from([None, "read", "indexed"]),
)
def test_search_answers_what_a_filter_over_every_record_answers(
    aws_tables, tenant_reads, steps, texts, most, scoped
) -> None:
    tenant = tenants.create_tenant(f"S {uuid.uuid4().hex[:6]}")
    admin = auth.authenticate({"accesskey": tenant["accessKey"]})
    alive: list[str] = []
    for step in steps:
        _apply(admin, step, alive)
    every = records.all_of(admin.tenant_id, "Company")
    # Every writer left exactly the word items of the names the records have now.
    assert _word_items(admin.tenant_id) == _words_of(admin.tenant_id, every)
    caller, visible = admin, None
    if scoped and every:
        visible = {r["Gsid"] for r in every[::2]}
        caller = _make_admin_of(admin, tenant, sorted(visible))
    # A small answer size puts the merge of name and word matches to work on small worlds;
    # "indexed" makes a team admin go through the indexes instead of reading its companies.
    scope_read = 0 if scoped == "indexed" else search.SCOPE_READ
    with mock.patch.object(search, "MAX_MATCHES", most), mock.patch.object(search, "SCOPE_READ", scope_read):
        for text in texts:
            tenant_reads.clear()
            found = search.search(caller, Search(type="company", text=text))["companies"]
            assert [c["Gsid"] for c in found] == _expected(every, text, visible, most), (text, every)
            assert _in_tenant(tenant_reads, admin.tenant_id), tenant_reads
        for gsid in [r["Gsid"] for r in every[:2]]:
            found = search.search(caller, Search(type="company", text=gsid.lower()))["companies"]
            assert [c["Gsid"] for c in found] == ([gsid] if visible is None or gsid in visible else [])


def test_users_are_found_by_a_word_after_a_create_and_a_rename(aws_tables) -> None:
    admin = auth.authenticate({"accesskey": tenants.create_tenant("Users words")["accessKey"]})
    made = users.create_users(
        admin,
        {"records": [{"FirstName": "Mary", "LastName": "O'Hara", "Email": "m@x.io", "SFDCUserName": "m@x.io"}]},
        notify="false",
    )
    mary = made["records"][0]["Gsid"]

    def found(text: str) -> list[str]:
        return [u["Gsid"] for u in search.search(admin, Search(type="user", text=text))["users"]]

    assert found("hara") == [mary] and found("o'h") == [mary] and found("mary o") == [mary]
    data = users.update_users(admin, {"records": [{"Gsid": mary, "Name": "Mary Smith"}]}, "Gsid")
    assert data["status"] == "SUCCESS", data
    assert found("hara") == [] and found("smi") == [mary]
    # A user written by the bulk path (User Sync) is found the same way, and leaves no word behind.
    store = BulkStore(admin.tenant_id, SHAPES["User"], admin.user_gsid)
    store.upsert([(store.records([mary])[mary], {"Name": "Mary Jones"})])
    store.flush()
    assert found("smi") == [] and found("jon") == [mary]


# --------------------------------------------------------------------------- what a search reads


COMPANIES = 5_000


def test_a_search_reads_in_proportion_to_its_matches(aws_tables, items_read, tenant_reads) -> None:
    admin = auth.authenticate({"accesskey": tenants.create_tenant("Large")["accessKey"]})
    store = BulkStore(admin.tenant_id, SHAPES["Company"], admin.user_gsid)
    for start in range(0, COMPANIES, 500):
        store.upsert([(None, {"Name": f"Northwind {i:05d} Holdings Ltd."}) for i in range(start, start + 500)])
        store.flush()
    wanted = store.upsert(
        [(None, {"Name": "Zyxel Partners"}), (None, {"Name": "Blue Zyxel"}), (None, {"Name": "Red Sun Zyxelon"})]
    )
    store.flush()
    for text, k in (("zyx", 3), ("sun zy", 1), ("northwind 00042", 1), ("nothing", 0)):
        items_read.clear()
        tenant_reads.clear()
        found = search.search(admin, Search(type="company", text=text))["companies"]
        assert len(found) == k, (text, found)
        # The search's own reads: the caller's teams (none: a super admin) aside, name index
        # matches + word items + the records the word matches name.
        assert sum(items_read) <= 2 * k + 2, (text, items_read)
        assert len(items_read) <= 4, (text, tenant_reads)
        assert _in_tenant(tenant_reads, admin.tenant_id)
    assert [c["Gsid"] for c in search.search(admin, Search(type="company", text="zyx"))["companies"]] == [
        wanted[1]["Gsid"],
        wanted[2]["Gsid"],
        wanted[0]["Gsid"],
    ]
    # A word on every name: the first 50 by name; past the bound, a 400 instead of a timeout.
    items_read.clear()
    found = search.search(admin, Search(type="company", text="holdings"))["companies"]
    assert [c["Name"] for c in found] == [f"Northwind {i:05d} Holdings Ltd." for i in range(50)]
    assert sum(items_read) <= COMPANIES + 50 + 2
    with mock.patch.object(candidates, "MAX_READ", 1_000), pytest.raises(ApiError) as error:
        search.search(admin, Search(type="company", text="hold"))
    assert error.value.status == 400 and error.value.code == "GSOBJ_1013" and error.value.desc.startswith("text")


def test_the_backfill_gives_records_written_before_word_items_theirs(aws_tables) -> None:
    from cscore.objects.bulk import words

    admin = auth.authenticate({"accesskey": tenants.create_tenant("Backfill")["accessKey"]})
    t = admin.tenant_id
    store = BulkStore(t, SHAPES["Company"], admin.user_gsid)
    store.upsert([(None, {"Name": f"Old Corp {i}"}) for i in range(30)] + [(None, {"Name": "Solo"})])
    store.flush()
    client = boto3.client("dynamodb")
    for pk, sk, _ in _word_items(t):  # as a tenant written before word items existed
        client.delete_item(TableName=config.tenant_table(), Key={"PK": {"S": pk}, "SK": {"S": sk}})
    assert search.search(admin, Search(type="company", text="corp"))["companies"] == []

    assert words.backfill(t, SHAPES["Company"]) == 60  # "corp <i>" and "<i>" of each Old Corp
    assert _word_items(t) == _words_of(t, records.all_of(t, "Company"))
    found = search.search(admin, Search(type="company", text="corp 1"))["companies"]
    assert [c["Name"] for c in found] == ["Old Corp 1"] + [f"Old Corp {i}" for i in range(10, 20)]
    assert words.backfill(t, SHAPES["Company"]) == 60 and _word_items(t) == _words_of(t, records.all_of(t, "Company"))
