"""Writes go only to declared fields (issue 13, acceptance): random mapping definitions,
whose targets are drawn from every attribute name the storage layer uses plus real
fields, with copies, constants and lookups, either are refused when saved, or, run by
the sync writer over random rows, write only items in the tenant's own partitions whose
attributes are declared fields of the object written (or the store's own attributes).

The writer runs whether or not the definition was refused: a job stored before the check
existed must not write either. The table is scanned after each example."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscore.auth import service as auth
from cscore.catalog import SHAPES
from cscore.connector import mappings as mapping_rules
from cscore.meta import service as meta
from cscore.meta.models import FieldDefinition
from cscore.objects import writable
from cscore.platform import config, keys
from cscore.platform.dynamo import from_item
from cscore.sync.writers import PageWriter
from cscore.tenants import service as tenants

OBJECTS = ("User", "Company", "Person", "CompanyPerson", "CompanyTeam")
# What a job's rows are keyed by, so that a definition that passes writes something.
BASE = {
    "User": [{"source": "Username", "target": "SFDCUserName"}],
    "Company": [{"source": "Id", "target": "SfdcAccountId"}, {"source": "Name", "target": "Name"}],
    "Person": [{"source": "Email", "target": "Email"}],
    "CompanyPerson": [{"source": "Email", "target": "Person.Email"}, {"source": "Id", "target": "SfdcContactId"}],
    "CompanyTeam": [],
}
KEY_FIELDS = {"User": ["SFDCUserName"], "Company": ["SfdcAccountId"], "Person": ["Email"]}
SOURCES = ("Id", "Name", "Email", "Username", "Title", "Flag", "Amount")
# Attributes of the items the writer itself maintains besides records (index, unique,
# counter items) and of the tenant item it may touch (team roles it creates).
AUX_ATTRIBUTES = {"IDX": {"gsids", "v", "refs"}, "UNIQ": {"gsid", "ref"}}


def _scan(table: str | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    client = boto3.client("dynamodb")
    items: dict[tuple[str, str], dict[str, Any]] = {}
    kwargs: dict[str, Any] = {"TableName": table or config.tenant_table(), "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        for raw in page["Items"]:
            items[(raw["PK"]["S"], raw["SK"]["S"])] = from_item(raw)
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _storage_names() -> list[str]:
    """Every attribute name the storage layer uses: the key attributes, the names of the
    item shapes (unique, index and derived fields), every attribute of every item of the
    tenant and connector tables as they stand (tenant, credential, OAuth client, registry,
    bundle, counter, index, unique and record items), plus every real field, a custom field
    the tenant has, one it has not, and qualified names."""
    found = set(keys.STORAGE_ATTRIBUTES) | {"gsid", "gsids", "ref", "refs", "v", "total"}
    for shape in SHAPES.values():
        found |= {*shape.unique_fields, *shape.index_fields, *shape.derived}
    for table in (config.tenant_table(), config.connector_table()):
        for item in _scan(table).values():
            found |= set(item)
    found |= {name for obj in OBJECTS for name in writable.stored_fields(obj)}
    return sorted(found | {"Tier__gc", "Undefined__gc", "Person.PK", "CompanyPerson.SK", "User.IsSuperAdmin"})


@pytest.fixture
def tenant(aws_tables) -> dict[str, Any]:
    """A tenant with a custom field on every object and an OAuth client; ``names`` the
    storage names as its bootstrap left them (drawn from by every example, so fixed)."""
    created: dict[str, Any] = dict(tenants.create_tenant("Declared"))
    admin = auth.authenticate({"accesskey": created["accessKey"]})
    for obj in OBJECTS:
        meta.add_field(admin, obj, FieldDefinition.model_validate({"name": "Tier__gc", "type": "number"}))
    tenants.create_oauth_client(created["tenantId"])
    created["names"] = _storage_names()
    return created


def _mapping(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    target = st.sampled_from(names)
    scalar = st.one_of(
        st.text(max_size=12),
        st.integers(-(10**6), 10**6),
        st.booleans(),
        st.none(),
        st.sampled_from(["1P02" + "A" * 32]),
    )
    value = st.one_of(scalar, st.dictionaries(st.sampled_from(names), scalar, max_size=2), st.lists(scalar, max_size=2))
    lookup = st.fixed_dictionaries(
        {
            "object": st.sampled_from([*OBJECTS, "TeamRole", "Tenant"]),
            "by": st.sampled_from([*names, "companyResolution", "label"]),
        }
    )
    source = st.sampled_from(SOURCES)
    return st.one_of(
        st.builds(lambda s, t: {"source": s, "target": t}, source, target),
        st.builds(lambda t, v: {"target": t, "value": v}, target, value),
        st.builds(lambda s, t, lk: {"source": s, "target": t, "lookup": lk}, source, target, lookup),
    )


def _rows(draw: Any) -> list[dict[str, Any]]:
    cell = st.one_of(
        st.text(max_size=12), st.sampled_from(["ann@x.io", "bob@x.io", "Acme"]), st.integers(0, 99), st.booleans()
    )
    count = draw(st.integers(1, 4))
    rows = []
    for i in range(count):
        row: dict[str, Any] = {source: draw(cell) for source in SOURCES}
        row["Id"] = f"001{i:015d}"
        row["Username"] = draw(st.sampled_from(["ann@x.io", "bob@x.io", "cy@x.io"]))
        row["Email"] = row["Username"]
        rows.append(row)
    return rows


def _allowed(tenant_id: str, pk: str, sk: str, attributes: set[str], tenant_item: dict[str, Any]) -> str | None:
    """Why an item the writer put is outside what it may write (None when it is fine)."""
    prefix = f"T#{tenant_id}"
    if pk != prefix and not pk.startswith(prefix + "#"):
        return f"{pk}: outside the tenant's partitions"
    if sk == keys.TENANT_SK:
        return None if attributes <= set(tenant_item) else f"{pk}: tenant item got {attributes - set(tenant_item)}"
    if pk == f"{prefix}#COUNTERS":
        return None if attributes <= {"PK", "SK", "total"} else f"{pk}: counter got {attributes}"
    if sk in AUX_ATTRIBUTES:
        extra = attributes - set(keys.STORAGE_ATTRIBUTES) - AUX_ATTRIBUTES[sk]
        return f"{pk}: {sk} item got {sorted(extra)}" if extra else None
    if pk.startswith(f"{prefix}#WORD#"):  # a word item of a name (keys.word): team search
        return None if attributes <= {"PK", "SK", "gsid", "nameKey"} else f"{pk}: word item got {attributes}"
    if sk != keys.RECORD_SK:
        return f"{pk}/{sk}: not an item the writer writes"
    obj = pk[len(prefix) + 1 :].split("#", 1)[0]
    if obj not in OBJECTS:
        return f"{pk}: record of no object"
    custom = set((tenant_item.get("customFields") or {}).get(obj) or {})
    declared = writable.stored_fields(obj) | custom | set(keys.STORAGE_ATTRIBUTES)
    extra = attributes - declared
    return f"{pk}: {obj} record got {sorted(extra)}" if extra else None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_mappings_never_write_outside_declared_fields(tenant: dict[str, Any], data) -> None:
    tenant_id = tenant["tenantId"]
    names = tenant["names"]
    target = data.draw(st.sampled_from(OBJECTS), "target")
    drawn = data.draw(st.lists(_mapping(names), min_size=1, max_size=4), "mappings")
    mappings = [*BASE[target], *drawn] if data.draw(st.booleans(), "with keys") else drawn
    rows = _rows(data.draw)
    job = {
        "jobId": "1C02" + "J" * 32,
        "targetObject": target,
        "sourceObject": "Source",
        "keyFields": KEY_FIELDS.get(target, []),
        "mappings": mappings,
    }
    tenant_item = _scan()[(f"T#{tenant_id}", keys.TENANT_SK)]
    try:
        mapping_rules.check(mappings, target, tenant_item)
        refused = False
    except mapping_rules.MappingError as exc:
        assert str(exc).startswith("mappings"), exc
        refused = True

    before = _scan()
    writer = PageWriter(tenant_id, job, {"connectionId": "1C01" + "C" * 32}, "SYNC")
    result = writer.write(rows)
    writer.flush()
    after = _scan()

    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if refused:
        assert changed == {}, changed
        assert len(result.outcomes) == len(rows) and {o.outcome for o in result.outcomes} == {"ERROR"}
    tenant_item = after[(f"T#{tenant_id}", keys.TENANT_SK)]
    problems = [_allowed(tenant_id, pk, sk, set(item), tenant_item) for (pk, sk), item in changed.items()]
    assert [p for p in problems if p] == [], (mappings, rows)
    for item in after.values():
        if item.get("SK") == keys.RECORD_SK and item["PK"].startswith(f"T#{tenant_id}#User#"):
            assert item.get("IsSuperAdmin") in (None, False) or item["Gsid"] == tenant["superAdminGsid"], item


def test_a_row_holding_text_that_cannot_be_stored_is_an_error_naming_the_field(tenant: dict[str, Any]) -> None:
    """A Salesforce value with a lone surrogate or NUL (``platform.text``) is never written."""
    tenant_id = tenant["tenantId"]
    job = {
        "jobId": "1C02" + "K" * 32,
        "targetObject": "Company",
        "sourceObject": "Account",
        "keyFields": ["SfdcAccountId"],
        "mappings": [*BASE["Company"], {"source": "Industry", "target": "Industry"}],
    }
    rows = [
        {"Id": "001000000000000001", "Name": "Lone \ud800 half", "Industry": "Energy"},
        {"Id": "001000000000000002", "Name": "Fine", "Industry": "Nul\x00"},
        {"Id": "001000000000000003", "Name": "Kept", "Industry": "Energy"},
    ]
    before = _scan()
    writer = PageWriter(tenant_id, job, {"connectionId": "1C01" + "C" * 32}, "SYNC")
    result = writer.write(rows)
    writer.flush()

    assert [(o.source_id, o.outcome, o.reason) for o in result.outcomes] == [
        (
            "001000000000000001",
            "ERROR",
            "Company.Name: holds a character that cannot be stored (a lone surrogate or NUL)",
        ),
        (
            "001000000000000002",
            "ERROR",
            "Company.Industry: holds a character that cannot be stored (a lone surrogate or NUL)",
        ),
    ]
    written = [v for k, v in _scan().items() if k not in before and k[1] == keys.RECORD_SK]
    assert result.inserted == 1 and [r["Name"] for r in written] == ["Kept"]
