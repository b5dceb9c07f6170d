"""The query planner (SPEC §4b "Reads at scale"): which access path each query shape
takes, how many DynamoDB items a page reads along it, the bound that answers 400
instead of reading on, and a property: planner + engine answer exactly what a full
read evaluated by the engine answers, on random data, queries and callers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.catalog import COMPANY_PERSON, COMPANY_TEAM, OBJECTS, SHAPES, USER
from cscore.errors import ApiError
from cscore.meta.fields import tenant_schema
from cscore.objects import candidates, query
from cscore.objects.bulk import BulkStore
from cscore.objects.planner import ByKey, ByReference, ByValue, Everything, InIndex, plan
from cscore.permissions import access
from cscore.permissions import settings as permission_settings
from cscore.permissions.models import CompanySettings
from cscore.platform import clock, keys, records, table
from cscore.query import execute, parse_query
from cscore.tenants import service as tenants
from cscore.users import listing
from cscore.users import service as users_service

T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def _parsed(obj: str, body: dict[str, Any]) -> Any:
    catalog = {name: o.query_schema for name, o in OBJECTS.items()}
    return parse_query(body, catalog[obj], query.OPTIONS, catalog=catalog)


def _where(*conditions: tuple[str, str, list[Any]], expression: str | None = None) -> dict[str, Any]:
    letters = "ABCDEFGH"
    where: dict[str, Any] = {
        "conditions": [
            {"name": n, "alias": letters[i], "operator": op, "value": v} for i, (n, op, v) in enumerate(conditions)
        ]
    }
    if expression:
        where["expression"] = expression
    return where


GSID = "1C01" + "A" * 32


@pytest.mark.parametrize(
    ("obj", "body", "expected"),
    [
        ("Company", {"where": _where(("Gsid", "IN", [GSID.lower(), GSID]))}, ByKey((GSID.lower(), GSID))),
        ("Company", {"where": _where(("Name", "EQ", ["Acme"]))}, ByValue("Name", ("Acme",), unique=False)),
        (
            "Company",
            {"where": _where(("Industry", "EQ", ["x"]), ("SfdcAccountId", "IN", ["001A", "001B"]))},
            ByValue("SfdcAccountId", ("001A", "001B"), unique=False),
        ),
        ("Person", {"where": _where(("Email", "EQ", ["a@x.io"]))}, ByValue("Email", ("a@x.io",), unique=True)),
        (
            "CompanyPerson",
            {"where": _where(("PersonId", "EQ", [GSID]))},
            ByReference("PersonId", "Person", "GSI3", (GSID,)),
        ),
        (
            "CompanyTeam",
            {"where": _where(("CompanyId", "EQ", [GSID]))},
            ByReference("CompanyId", "Company", "GSI2", (GSID,)),
        ),
        ("CompanyTeam", {"where": _where(("UserId", "EQ", [GSID]))}, ByReference("UserId", "User", "GSI3", (GSID,))),
        # CompanyTeam records are keyed by company and user, not by GSID.
        ("CompanyTeam", {"where": _where(("Gsid", "EQ", [GSID]))}, Everything()),
        (
            "Company",
            {"where": _where(("ModifiedDate", "GTE", ["2027-01-15T08:00:00Z"])), "orderBy": {"ModifiedDate": "asc"}},
            InIndex("ModifiedDate", False, True, lower="2027-01-15T08:00:00.000Z"),
        ),
        (
            "Person",
            {"where": _where(("ModifiedDate", "BTW", ["2027-01-15T08:00:00Z", "2027-01-15T09:00:00Z"]))},
            InIndex(
                "ModifiedDate", False, False, lower="2027-01-15T08:00:00.000Z", upper="2027-01-15T09:00:00.000Z\x02"
            ),
        ),
        ("Company", {"where": _where(("Name", "STARTS_WITH", ["Ac"]))}, InIndex("Name", False, False, prefix="ac")),
        (
            "Company",
            {"where": _where(("Name", "STARTS_WITH", ["Ac"])), "orderBy": {"Name": "desc"}},
            InIndex("Name", True, True, prefix="ac"),
        ),
        (
            "Company",
            {"where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ModifiedDate": "desc"}},
            InIndex("ModifiedDate", True, True),
        ),
        ("Company", {"where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ARR": "desc"}}, Everything()),
        # Only top-level AND conditions drive a path.
        (
            "Company",
            {"where": _where(("Gsid", "EQ", [GSID]), ("Industry", "EQ", ["x"]), expression="A OR B")},
            Everything(),
        ),
        ("Company", {"where": _where(("Name", "EQ", ["Acme"]), expression="NOT A")}, Everything()),
        (
            "Company",
            {"where": _where(("Industry", "EQ", ["x"]), ("Gsid", "EQ", [GSID]), expression="A AND (B AND A)")},
            ByKey((GSID,)),
        ),
        # An upside-down range matches nothing: nothing is read.
        ("Company", {"where": _where(("ModifiedDate", "BTW", ["2027-01-16", "2027-01-15"]))}, ByKey(())),
    ],
)
def test_the_planner_picks_the_cheapest_path(obj: str, body: dict[str, Any], expected: Any) -> None:
    assert plan(_parsed(obj, {"select": ["Gsid"], **body}), OBJECTS[obj]) == expected


def test_every_reference_is_the_partition_the_shape_writes() -> None:
    record = {"Gsid": "G", "CompanyId": "C", "PersonId": "P", "UserId": "U", "ModifiedDate": "2027-01-15T08:00:00.000Z"}
    for obj in (COMPANY_PERSON, COMPANY_TEAM):
        written = obj.shape.secondary_keys("t", record)
        for field, (via, index) in obj.references.items():
            assert written[f"{index}PK"] == keys.related("t", obj.name, via, record[field]), (obj.name, field)


# --------------------------------------------------------------------------- items read


@pytest.fixture
def admin(aws_tables) -> Principal:
    return auth.authenticate({"accesskey": tenants.create_tenant(f"Planner {uuid.uuid4().hex[:6]}")["accessKey"]})


COMPANIES = 600


@pytest.fixture
def tenant(admin, fake_clock) -> dict[str, Any]:
    """600 companies, one a second, every tenth in Energy, with a CSM each of 3 users."""
    made = users_service.create_users(
        admin,
        {"records": [{"Name": f"Csm {i}", "Email": f"csm{i}@x.io", "SFDCUserName": f"csm{i}@x.io"} for i in range(3)]},
        notify="false",
    )["records"]
    csms = [u["Gsid"] for u in made]
    store = BulkStore(admin.tenant_id, SHAPES["Company"], admin.user_gsid)
    companies = []
    for i in range(COMPANIES):
        fake_clock.at = T0 + i
        companies += store.upsert(
            [(None, {"Name": f"Co {i:04d}", "SfdcAccountId": f"001{i:05d}", "Csm": csms[i % 3],
                     "Industry": "Energy" if i % 10 == 0 else "Retail"})]
        )  # fmt: skip
    store.flush()
    team = BulkStore(admin.tenant_id, SHAPES["CompanyTeam"], admin.user_gsid)
    team.upsert([(None, {"CompanyId": c["Gsid"], "UserId": csms[0], "UserAccess": "Member"}) for c in companies[:40]])
    team.flush()
    return {"companies": companies, "csms": csms}


def _iso(second: int) -> str:
    return clock.iso(T0 + second)


SHAPES_READ = [
    # (what, object, body, most items read, expected Names or None)
    ("Gsid IN", "Company", lambda t: {"where": _where(("Gsid", "IN", [c["Gsid"] for c in t["companies"][5:8]]))}, 3),
    ("Name EQ", "Company", lambda t: {"where": _where(("Name", "EQ", ["co 0042"]))}, 2),
    ("SfdcAccountId IN", "Company", lambda t: {"where": _where(("SfdcAccountId", "IN", ["00100001", "00100002"]))}, 4),
    (
        "ModifiedDate GT, by ModifiedDate",
        "Company",
        lambda t: {
            "where": _where(("ModifiedDate", "GT", [_iso(100)])),
            "orderBy": {"ModifiedDate": "asc"},
            "limit": 50,
        },
        50,
    ),
    (
        "ModifiedDate BTW (whole slice)",
        "Company",
        lambda t: {"where": _where(("ModifiedDate", "BTW", [_iso(100), _iso(129)])), "orderBy": {"Name": "desc"}},
        30,
    ),
    ("Name STARTS_WITH", "Company", lambda t: {"where": _where(("Name", "STARTS_WITH", ["co 01"]))}, 100),
    (
        "Industry EQ, by ModifiedDate, limit 10",
        "Company",
        lambda t: {"where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ModifiedDate": "desc"}, "limit": 10},
        10 + 100 + 100,  # 10 / selectivity 0.1 = 100, in pages of 10 then at least 100
    ),
    ("CompanyId EQ", "CompanyTeam", lambda t: {"where": _where(("CompanyId", "EQ", [t["companies"][3]["Gsid"]]))}, 1),
    ("UserId EQ", "CompanyTeam", lambda t: {"where": _where(("UserId", "EQ", [t["csms"][0]]))}, 40),
]


@pytest.mark.parametrize(("what", "obj", "body", "most"), SHAPES_READ, ids=[s[0] for s in SHAPES_READ])
def test_each_shape_reads_about_what_it_returns(admin, tenant, items_read, what, obj, body, most) -> None:
    request = {"select": ["Gsid", "Name"] if obj == "Company" else ["Gsid"], "limit": 100, **body(tenant)}
    expected = _reference(admin, obj, request)
    items_read.clear()
    assert query.query_objects(admin, obj, request)["records"] == expected
    assert expected, "the shape must match something"
    assert sum(items_read) <= most, (what, items_read)


def test_a_read_past_the_bound_is_a_400_naming_what_could_serve(admin, tenant, items_read, monkeypatch) -> None:
    monkeypatch.setattr(candidates, "MAX_READ", 100)
    unbounded = {"select": ["Name"], "where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ARR": "desc"}}
    items_read.clear()
    with pytest.raises(ApiError) as refused:
        query.query_objects(admin, "Company", unbounded)
    assert (refused.value.status, refused.value.code) == (400, "GSOBJ_1013")
    for named in ("100 Company records", "Gsid", "Name", "SfdcAccountId", "ModifiedDate", "orderBy"):
        assert named in refused.value.desc
    assert sum(items_read) <= 1  # refused from the object's counter, before reading records
    # An ordered walk that finds too few matches within the bound is refused too.
    rare = {"select": ["Name"], "where": _where(("Name", "CONTAINS", ["0599"])), "orderBy": {"ModifiedDate": "asc"}}
    with pytest.raises(ApiError) as walked:
        query.query_objects(admin, "Company", rare)
    assert walked.value.code == "GSOBJ_1013"
    # The same filter on a slice within the bound answers.
    narrowed = {**rare, "where": _where(("Name", "CONTAINS", ["0599"]), ("ModifiedDate", "GTE", [_iso(550)]))}
    assert query.query_objects(admin, "Company", narrowed)["records"] == [{"Name": "Co 0599"}]


def test_a_filtered_users_total_counts_along_the_path(admin, tenant, items_read) -> None:
    body = {"select": ["Name"], "where": _where(("Email", "IN", ["csm1@x.io", "CSM2@x.io"])), "includeTotal": True}
    items_read.clear()
    data = listing.list_users(admin, body)
    assert data["total"] == 2 and sorted(u["Name"] for u in data["users"]) == ["Csm 1", "Csm 2"]
    assert sum(items_read) <= 2 + 2 + 5  # index items, users, authentication-free reads of the list


# --------------------------------------------------------------------------- property


def _reference(principal: Principal, obj: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    """Today's answer without a planner: every record read, made visible, joined and
    evaluated by the engine."""
    catalog = query.catalog_for(principal)
    schema = catalog[obj]
    parsed = parse_query(body, schema, query.OPTIONS, catalog=catalog)
    reader = query.VisibleRecords(principal.tenant_id, access.CompanyVisibility(principal))
    rows = reader.visible_only(obj, records.all_of(principal.tenant_id, obj))
    reader.remember(obj, rows)
    query._join(reader, rows, sorted(parsed.lookup_paths()), schema, catalog)
    return [query._shown(r, parsed, schema, catalog) for r in execute(parsed, rows).rows]


NAMES = ["Acme", "acme", "Acme Corp", "Ac", "Bolt", "b", "Ünï", "Zeta 9"]
INDUSTRIES = ["Energy", "Retail", None]
SECONDS = [0, 1, 30, 60, 61, 3600]


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(0, 8))
    return {
        "companies": [
            {
                "Name": draw(st.sampled_from(NAMES)),
                "Industry": draw(st.sampled_from(INDUSTRIES)),
                "SfdcAccountId": draw(st.sampled_from(["001A", "001a", "001B", None])),
                "ARR": draw(st.sampled_from([None, 0, 5, 12.5])),
                "RenewalDate": draw(st.sampled_from([None, "2027-01-01", "2027-06-30"])),
                "csm": draw(st.sampled_from([None, 0, 1])),
                "at": draw(st.sampled_from(SECONDS)),
            }
            for _ in range(n)
        ],
        "team": draw(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 1)), max_size=6, unique=True)),
        "ruled": draw(st.booleans()),  # asked by a user a rule lets see Energy companies
    }


@st.composite
def conditions_on(draw: st.DrawFn, obj: str, gsids: dict[str, list[str]]) -> tuple[str, str, list[Any]]:
    some_company = st.sampled_from([*gsids["Company"], "1C01" + "0" * 32]) if gsids["Company"] else st.just("x")
    some_user = st.sampled_from(gsids["User"])
    instant = st.sampled_from([clock.iso(T0 + s) for s in (-1, 0, 1, 30, 59, 60, 3600, 7200)] + ["2027-01-15"])
    if obj == "Company":
        options = [
            st.tuples(
                st.just("Gsid"), st.sampled_from(["EQ", "IN", "NE"]), st.lists(some_company, min_size=1, max_size=2)
            ),
            st.tuples(st.just("Gsid"), st.just("EQ"), some_company.map(lambda g: [g.lower()])),
            st.tuples(
                st.just("Name"),
                st.sampled_from(["EQ", "IN", "NE", "STARTS_WITH", "CONTAINS"]),
                st.lists(st.sampled_from([*NAMES, "ac", "acme "]), min_size=1, max_size=2),
            ),
            st.tuples(
                st.just("SfdcAccountId"),
                st.sampled_from(["EQ", "IN", "NOT_IN"]),
                st.lists(st.sampled_from(["001A", "001a", "001C"]), min_size=1, max_size=2),
            ),
            st.tuples(st.just("Industry"), st.sampled_from(["EQ", "NE"]), st.sampled_from([["Energy"], ["retail"]])),
            st.tuples(
                st.sampled_from(["Industry", "ARR", "RenewalDate"]),
                st.sampled_from(["IS_NULL", "IS_NOT_NULL"]),
                st.just([]),
            ),
            st.tuples(
                st.just("ModifiedDate"),
                st.sampled_from(["GT", "GTE", "LT", "LTE", "EQ"]),
                st.lists(instant, min_size=1, max_size=1),
            ),
            st.tuples(st.just("ModifiedDate"), st.just("BTW"), st.lists(instant, min_size=2, max_size=2)),
            st.tuples(st.just("RenewalDate"), st.sampled_from(["LT", "GTE"]), st.just(["2027-03-01"])),
            st.tuples(st.just("Csm__gr.Email"), st.sampled_from(["EQ", "NE", "IS_NULL"]), st.just(["u0@x.io"])),
            st.tuples(st.just("ARR"), st.sampled_from(["GT", "LTE"]), st.just([5])),
        ]
    else:  # CompanyTeam
        options = [
            st.tuples(
                st.just("CompanyId"),
                st.sampled_from(["EQ", "IN", "NE"]),
                st.lists(some_company, min_size=1, max_size=2),
            ),
            st.tuples(st.just("UserId"), st.sampled_from(["EQ", "IN"]), st.lists(some_user, min_size=1, max_size=2)),
            st.tuples(st.just("CompanyId__gr.Name"), st.sampled_from(["EQ", "STARTS_WITH"]), st.just(["acme"])),
            st.tuples(
                st.just("ModifiedDate"), st.sampled_from(["GT", "LTE"]), st.lists(instant, min_size=1, max_size=1)
            ),
            st.tuples(st.just("UserAccess"), st.just("EQ"), st.just(["Member"])),
        ]
    name, operator, values = draw(st.one_of(options))
    if operator in ("IS_NULL", "IS_NOT_NULL"):
        values = []
    if operator in ("EQ", "NE", "STARTS_WITH", "CONTAINS", "GT", "GTE", "LT", "LTE") and values:
        values = values[:1]
    return name, operator, values


def _expression(draw: st.DrawFn, letters: list[str]) -> str:
    def term(letter: str) -> str:
        return f"NOT {letter}" if draw(st.integers(0, 4)) == 0 else letter

    text = term(letters[0])
    for letter in letters[1:]:
        joined = f"{text} {draw(st.sampled_from(['AND', 'AND', 'OR']))} {term(letter)}"
        text = f"({joined})" if draw(st.booleans()) else joined
    return text


ORDERS = {
    "Company": [None, {"ModifiedDate": "asc"}, {"ModifiedDate": "desc"}, {"Name": "asc"}, {"Name": "desc"},
                {"ARR": "desc"}, {"Csm__gr.Email": "asc"}, {"ModifiedDate": "asc", "Gsid": "asc"}],
    "CompanyTeam": [None, {"ModifiedDate": "desc"}, {"CompanyId__gr.Name": "asc"}],
}  # fmt: skip


def _store(admin: Principal, world: dict[str, Any], fake_clock: Any) -> dict[str, list[str]]:
    fake_clock.at = T0
    made = users_service.create_users(
        admin,
        {"records": [{"Name": f"U{i}", "Email": f"u{i}@x.io", "SFDCUserName": f"u{i}@x.io", "Title": t}
                     for i, t in enumerate(("Energy", None))]},
        notify="false",
    )["records"]  # fmt: skip
    users = [u["Gsid"] for u in made]
    companies: list[str] = []
    store = BulkStore(admin.tenant_id, SHAPES["Company"], admin.user_gsid)
    for spec in sorted(world["companies"], key=lambda c: c["at"]):
        fake_clock.at = T0 + spec["at"]  # the store stamps ModifiedDate when a row is upserted
        row = {k: v for k, v in spec.items() if k not in ("csm", "at") and v is not None}
        if spec["csm"] is not None:
            row["Csm"] = users[spec["csm"]]
        companies += [c["Gsid"] for c in store.upsert([(None, row)])]
    store.flush()
    members = [(companies[c], users[u]) for c, u in world["team"] if c < len(companies)]
    if members:
        fake_clock.at = T0 + 60
        team = BulkStore(admin.tenant_id, SHAPES["CompanyTeam"], admin.user_gsid)
        team.upsert([(None, {"CompanyId": c, "UserId": u, "UserAccess": "Member"}) for c, u in members])
        team.flush()
    return {"Company": companies, "User": users}


ENERGY_RULE = {
    "name": "Energy desk",
    "user": {"conditions": [{"name": "Title", "alias": "A", "operator": "EQ", "value": ["Energy"]}]},
    "company": {"conditions": [{"name": "Industry", "alias": "A", "operator": "EQ", "value": ["Energy"]}]},
}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds(), data=st.data())
def test_planner_and_engine_answer_what_a_full_read_answers(aws_tables, fake_clock, world, data) -> None:
    admin = auth.authenticate({"accesskey": tenants.create_tenant(f"P {uuid.uuid4().hex[:6]}")["accessKey"]})
    gsids = _store(admin, world, fake_clock)
    caller = admin
    if world["ruled"]:
        settings_body = {"public": False, "teamBased": True, "rules": [ENERGY_RULE]}
        permission_settings.put_settings(admin, CompanySettings.model_validate(settings_body))
        tenant_item = table.read_one(keys.tenant(admin.tenant_id)) or {}
        caller = Principal(admin.tenant_id, "P", gsids["User"][0], False, "ACCESS_KEY", "k", {}, tenant_item)
    for _ in range(4):
        obj = data.draw(st.sampled_from(["Company", "Company", "CompanyTeam"]))
        count = data.draw(st.integers(0, 3))
        conditions = [data.draw(conditions_on(obj, gsids)) for _ in range(count)]
        letters = "ABCDEFGH"[:count]
        body: dict[str, Any] = {
            "select": ["Gsid", "Name", "ModifiedDate"] if obj == "Company" else ["Gsid", "CompanyId", "UserId"],
            "limit": data.draw(st.integers(1, 5)),
            "offset": data.draw(st.integers(0, 3)),
        }
        if conditions:
            expression = _expression(data.draw, list(letters)) if data.draw(st.booleans()) else None
            body["where"] = _where(*conditions, expression=expression)
        order = data.draw(st.sampled_from(ORDERS[obj]))
        if order:
            body["orderBy"] = order
        assert query.query_objects(caller, obj, body)["records"] == _reference(caller, obj, body), body


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds(), data=st.data())
def test_the_users_list_answers_what_a_full_read_answers(aws_tables, fake_clock, world, data) -> None:
    admin = auth.authenticate({"accesskey": tenants.create_tenant(f"U {uuid.uuid4().hex[:6]}")["accessKey"]})
    _store(admin, world, fake_clock)
    every = [USER.with_derived(u) for u in records.all_of(admin.tenant_id, "User")]
    for _ in range(4):
        conditions = data.draw(
            st.lists(
                st.one_of(
                    st.tuples(st.just("Email"), st.sampled_from(["EQ", "IN", "NE"]),
                              st.lists(st.sampled_from(["u0@x.io", "U1@X.IO", "no@x.io"]), min_size=1, max_size=2)),
                    st.tuples(st.just("Name"), st.sampled_from(["STARTS_WITH", "EQ", "CONTAINS"]),
                              st.sampled_from([["u"], ["U1"], ["x"]])),
                    st.tuples(st.just("ModifiedDate"), st.sampled_from(["GTE", "LT"]),
                              st.sampled_from([[clock.iso(T0)], [clock.iso(T0 + 1)]])),
                    st.tuples(st.just("Title"), st.sampled_from(["IS_NULL", "IS_NOT_NULL"]), st.just([])),
                ),
                max_size=2,
            )
        )  # fmt: skip
        conditions = [(n, op, v[:1] if op != "IN" else v) for n, op, v in conditions]
        body: dict[str, Any] = {
            "select": ["Name", "Email"],
            "limit": data.draw(st.integers(1, 3)),
            "includeTotal": True,
        }
        if conditions:
            body["where"] = _where(*conditions)
        order = data.draw(st.sampled_from([None, {"Name": "asc"}, {"ModifiedDate": "desc"}, {"Email": "asc"}]))
        if order:
            body["orderBy"] = order
        got = listing.list_users(admin, body)
        parsed = parse_query(body, tenant_schema(USER, admin.tenant), listing.OPTIONS)
        expected = execute(parsed, every)
        assert got["total"] == expected.total, body
        assert [u["Gsid"] for u in got["users"]] == [u["Gsid"] for u in expected.rows], body


def test_team_search_goes_through_a_bounded_number_of_names(admin, tenant, monkeypatch) -> None:
    from cscore.teams import search
    from cscore.teams.models import Search

    monkeypatch.setattr(candidates, "MAX_READ", 100)
    found = search.search(admin, Search(type="company", text="co 0"))["companies"]
    assert [c["Name"] for c in found] == [f"Co {i:04d}" for i in range(50)]  # 50 matches within the first 100
    # A word prefix finds its match however far in name order it is...
    assert [c["Name"] for c in search.search(admin, Search(type="company", text="0599"))["companies"]] == ["Co 0599"]
    # ...and a word starting 600 names is past the bound: a 400, not a timeout.
    with pytest.raises(ApiError) as refused:
        search.search(admin, Search(type="company", text="0"))
    assert (refused.value.status, refused.value.code) == (400, "GSOBJ_1013") and "GSID" in refused.value.desc
