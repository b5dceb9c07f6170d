"""Company data permissions (SPEC §4.3) against a plain-Python reference model: random
org charts (manager chains deeper than 3), teams, rules and settings; for every (user,
company) the access check, the permission flags used for writes and the Company query
agree with the model."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.catalog import COMPANY, COMPANY_TEAM, USER
from cscore.objects.bulk import BulkStore
from cscore.objects.query import query_objects
from cscore.permissions import access
from cscore.permissions import settings as permission_settings
from cscore.permissions.models import CompanySettings
from cscore.platform import keys, table
from cscore.teams import membership
from cscore.teams.models import AssignUsers
from cscore.tenants import service as tenants
from cscore.users import service as users_service

VALUES = ("Energy", "Retail")
# Rule 0: Energy users see Energy companies. Rule 1: a user sees companies whose Industry
# equals the user's own Title (a rule comparing with the user's field).
RULES = [
    {
        "name": "Energy desk",
        "user": {"conditions": [{"name": "Title", "alias": "A", "operator": "EQ", "value": ["Energy"]}]},
        "company": {"conditions": [{"name": "Industry", "alias": "A", "operator": "EQ", "value": ["Energy"]}]},
    },
    {
        "name": "Own industry",
        "user": {"conditions": [{"name": "Title", "alias": "A", "operator": "IS_NOT_NULL", "value": []}]},
        "company": {
            "conditions": [{"name": "Industry", "alias": "A", "operator": "EQ", "value": [{"userField": "Title"}]}]
        },
    },
]


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, Any]:
    users = draw(st.integers(min_value=2, max_value=7))
    # A forest: each user's manager is an earlier user (or none), so chains can run deep.
    managers = [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, users)]
    if draw(st.booleans()):  # often a straight chain, deeper than 3 levels
        managers = [None, *range(users - 1)]
    titles = [draw(st.sampled_from((*VALUES, None))) for _ in range(users)]
    companies = [draw(st.sampled_from(VALUES)) for _ in range(draw(st.integers(1, 4)))]
    # Each company's parent: any company (itself and cycles included) or none.
    parents = [draw(st.one_of(st.none(), st.integers(0, len(companies) - 1))) for _ in companies]
    pairs = [(c, u) for c in range(len(companies)) for u in range(users)]
    team = draw(st.sets(st.sampled_from(pairs), max_size=len(pairs)))
    rule_set = draw(st.sets(st.sampled_from((0, 1))))
    return {
        "managers": managers,
        "titles": titles,
        "industries": companies,
        "parents": parents,
        "team": sorted(team),
        "public": draw(st.booleans()),
        "teamBased": draw(st.booleans()),
        "rules": [RULES[i] for i in sorted(rule_set)],
        "managersFirst": draw(st.booleans()),
    }


def chain(managers: list[int | None], user: int) -> list[int]:
    """The user's managers, nearest first, all the way up."""
    found, current = [], managers[user]
    while current is not None:
        found.append(current)
        current = managers[current]
    return found


def reference(world: dict[str, Any], user: int, company: int) -> bool:
    """SPEC §4.3, read literally."""
    if world["public"]:
        return True
    title, industry = world["titles"][user], world["industries"][company]
    for rule in world["rules"]:
        if rule["name"] == "Energy desk" and title == "Energy" and industry == "Energy":
            return True
        if rule["name"] == "Own industry" and title is not None and industry == title:
            return True
    if not world["teamBased"]:
        return False
    members = [u for c, u in world["team"] if c == company]
    return user in members or any(user in chain(world["managers"], m)[:3] for m in members)


@dataclass(frozen=True)
class Stored:
    """A world written to a fresh tenant."""

    tenant_id: str
    admin_gsid: str
    users: list[str]
    companies: list[str]
    tenant_item: dict[str, Any]

    def principal(self, user: int) -> Principal:
        return Principal(self.tenant_id, "Matrix", self.users[user], False, "ACCESS_KEY", "k", {}, self.tenant_item)


def _create_users(admin: Principal, records: list[dict[str, Any]]) -> list[str]:
    """Users created through the users API's service, in order."""
    created = users_service.create_users(admin, {"records": records}, notify="false")
    assert created["status"] == "SUCCESS", created
    return [r["Gsid"] for r in created["records"]]


def _set_managers(admin: Principal, managers: dict[str, str]) -> None:
    """Each user's Manager set through the users API's service, which also moves the
    manager chains of the Company Team records below them."""
    body = {"records": [{"Gsid": user, "Manager": boss} for user, boss in managers.items()]}
    updated = users_service.update_users(admin, body, "Gsid")
    assert updated["status"] == "SUCCESS", updated


def _assign(admin: Principal, members: list[tuple[str, str]]) -> None:
    """(company, user) memberships through the teams API's service, which writes each
    record's manager chain."""
    for company in dict.fromkeys(c for c, _ in members):
        records = [{"UserId": u, "UserAccess": "Member"} for c, u in members if c == company]
        assigned = membership.assign_users(admin, company, AssignUsers.model_validate({"records": records}))
        assert assigned["errors"] is None and assigned["count"] == len(records), assigned


def store(world: dict[str, Any]) -> Stored:
    """The world written through the product's services: the manager chains on Company
    Team records are the product's own, written when members are assigned after the
    managers are set, or moved when the managers are set after (both orders drawn)."""
    tenant = tenants.create_tenant(f"Matrix {uuid.uuid4().hex[:6]}")
    tenant_id, admin_gsid = tenant["tenantId"], tenant["superAdminGsid"]
    admin = auth.authenticate({"accesskey": tenant["accessKey"]})
    people = [
        {"SFDCUserName": f"u{i}@m.example", "Email": f"u{i}@m.example", "Name": f"U{i}", "Title": t}
        for i, t in enumerate(world["titles"])
    ]
    gsids = _create_users(admin, [{k: v for k, v in p.items() if v is not None} for p in people])
    managers = {gsids[i]: gsids[m] for i, m in enumerate(world["managers"]) if m is not None}
    companies = BulkStore(tenant_id, COMPANY.shape, admin_gsid)
    made_companies = companies.upsert(
        [(None, {"Name": f"C{i}", "Industry": ind}) for i, ind in enumerate(world["industries"])]
    )
    company_gsids = [c["Gsid"] for c in made_companies]
    companies.upsert(
        [(made_companies[i], {"ParentCompany": company_gsids[p]}) for i, p in enumerate(world["parents"])
         if p is not None]
    )  # fmt: skip
    companies.flush()
    members = [(company_gsids[c], gsids[u]) for c, u in world["team"]]
    if world["managersFirst"] and managers:
        _set_managers(admin, managers)
    _assign(admin, members)
    if not world["managersFirst"] and managers:
        _set_managers(admin, managers)

    admin_tenant_item = table.read_one(keys.tenant(tenant_id)) or {}
    admin = Principal(tenant_id, "Matrix", admin_gsid, True, "ACCESS_KEY", "k", {}, admin_tenant_item)
    body = {"public": world["public"], "teamBased": world["teamBased"], "rules": world["rules"]}
    permission_settings.put_settings(admin, CompanySettings.model_validate(body))
    tenant_item = table.read_one(keys.tenant(tenant_id)) or {}
    return Stored(tenant_id, admin_gsid, gsids, company_gsids, tenant_item)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds())
def test_access_matches_the_reference_model(aws_tables: dict[str, str], world: dict[str, Any]) -> None:
    stored = store(world)
    tenant_id, admin_gsid, gsids, company_gsids = stored.tenant_id, stored.admin_gsid, stored.users, stored.companies
    tenant_item = stored.tenant_item

    for u, user_gsid in enumerate(gsids):
        principal = Principal(tenant_id, "Matrix", user_gsid, False, "ACCESS_KEY", "k", {}, tenant_item)
        expected = {company_gsids[c] for c in range(len(company_gsids)) if reference(world, u, c)}
        checked = {
            g
            for g in company_gsids
            if access.check(
                Principal(tenant_id, "Matrix", admin_gsid, True, "ACCESS_KEY", "k", {}, tenant_item), user_gsid, g
            )["allowed"]
        }
        assert checked == expected, (u, world)
        flags = access.permitted(principal, [{"Gsid": g, **_company(world, company_gsids, g)} for g in company_gsids])
        assert {g for g, ok in zip(company_gsids, flags, strict=True) if ok} == expected, (u, world)
        answer = query_objects(principal, "Company", {"select": ["Gsid"], "limit": 5000})
        assert {r["Gsid"] for r in answer["records"]} == expected, (u, world)
        one = company_gsids[0]
        by_gsid = query_objects(
            principal,
            "Company",
            {
                "select": ["Gsid"],
                "where": {"conditions": [{"name": "Gsid", "alias": "A", "operator": "EQ", "value": [one]}]},
            },
        )
        assert [r["Gsid"] for r in by_gsid["records"]] == ([one] if one in expected else []), (u, world)


# Lookup paths from each restricted object, as steps through the model: each "parent"
# follows ParentCompany, the last step is the field read at the end of the path.
PATHS = {
    "Company": {
        "ParentCompany__gr.Name": ("parent", "Name"),
        "ParentCompany__gr.Industry": ("parent", "Industry"),
        "ParentCompany__gr.ParentCompany": ("parent", "ParentCompany"),
        "ParentCompany__gr.ParentCompany__gr.Name": ("parent", "parent", "Name"),
    },
    "CompanyTeam": {
        "CompanyId__gr.Name": ("Name",),
        "CompanyId__gr.ParentCompany__gr.Industry": ("parent", "Industry"),
    },
}


def modelled(world: dict[str, Any], stored: Stored, user: int, company: int, steps: tuple[str, ...]) -> Any:
    """A path's value from ``company`` as the user may see it: null through a company
    the model says is hidden."""
    current: int | None = company
    for _ in steps[:-1]:
        current = world["parents"][current]
        if current is None or not reference(world, user, current):
            return None
    field = steps[-1]
    if field == "Name":
        return f"C{current}"
    if field == "Industry":
        return world["industries"][current]
    parent = world["parents"][current]
    return None if parent is None else stored.companies[parent]


def _null_order(value: Any) -> tuple[int, str]:
    """Descending order as the query engine keeps it: nulls first, text by lower case."""
    return (1, "") if value is None else (0, str(value).lower())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds().map(lambda w: {**w, "public": False}))  # public hides nothing: not drawn here
def test_lookup_paths_never_reveal_a_hidden_company(aws_tables: dict[str, str], world: dict[str, Any]) -> None:
    stored = store(world)
    for user in range(len(stored.users)):
        for root, paths in PATHS.items():
            for path, steps in paths.items():
                _check_path(world, stored, user, root, path, steps)


def _check_path(world: dict[str, Any], stored: Stored, user: int, root: str, path: str, steps: tuple[str, ...]) -> None:
    """Select, where and orderBy on one path by one user agree with the model."""
    principal = stored.principal(user)
    row_key = "Gsid" if root == "Company" else "CompanyId"
    context = (user, root, path, world)

    def ask(**query: Any) -> list[tuple[int, Any]]:
        """(company index, modelled value) of each row answered, in order."""
        found = query_objects(principal, root, {"select": [row_key], "limit": 5000, **query})["records"]
        companies = [stored.companies.index(r[row_key]) for r in found]
        return [(c, modelled(world, stored, user, c, steps)) for c in companies]

    rows = query_objects(principal, root, {"select": [row_key, path], "limit": 5000})["records"]
    answered = [(stored.companies.index(r[row_key]), r[path]) for r in rows]
    assert all(reference(world, user, c) for c, _ in answered), context
    assert answered == [(c, modelled(world, stored, user, c, steps)) for c, _ in answered], context
    where = {"conditions": [{"name": path, "alias": "A", "operator": "IS_NOT_NULL", "value": []}]}
    assert sorted(ask(where=where)) == sorted((c, v) for c, v in answered if v is not None), context
    ordered = [v for _, v in ask(orderBy={path: "desc"})]
    assert ordered == sorted(ordered, key=_null_order, reverse=True), context


def _parented(count: int, granted: bool) -> tuple[Principal, list[str]]:
    """A tenant with ``count`` Energy companies, each the child of a Retail company, and a
    user who sees the Energy ones (by a rule, or ``granted`` by being on their teams)
    and none of the parents."""
    tenant = tenants.create_tenant(f"Parented {uuid.uuid4().hex[:6]}")
    tenant_id, admin_gsid = tenant["tenantId"], tenant["superAdminGsid"]
    users = BulkStore(tenant_id, USER.shape, admin_gsid)
    (me,) = users.upsert([(None, {"SFDCUserName": "me@p.example", "Email": "me@p.example", "Title": "Energy"})])
    users.flush()
    companies = BulkStore(tenant_id, COMPANY.shape, admin_gsid)
    parents = companies.upsert([(None, {"Name": f"P{i}", "Industry": "Retail"}) for i in range(count)])
    children = companies.upsert(
        [(None, {"Name": f"C{i}", "Industry": "Energy", "ParentCompany": p["Gsid"]}) for i, p in enumerate(parents)]
    )
    companies.flush()
    if granted:
        team = BulkStore(tenant_id, COMPANY_TEAM.shape, admin_gsid)
        team.upsert([(None, {"CompanyId": c["Gsid"], "UserId": me["Gsid"], "UserAccess": "Member"}) for c in children])
        team.flush()
    admin_item = table.read_one(keys.tenant(tenant_id)) or {}
    admin = Principal(tenant_id, "P", admin_gsid, True, "ACCESS_KEY", "k", {}, admin_item)
    permission_settings.put_settings(admin, CompanySettings.model_validate({"rules": [] if granted else RULES[:1]}))
    tenant_item = table.read_one(keys.tenant(tenant_id)) or {}
    return Principal(tenant_id, "P", me["Gsid"], False, "ACCESS_KEY", "k", {}, tenant_item), [
        p["Gsid"] for p in parents
    ]


def test_lookup_paths_cost_a_constant_number_of_calls_per_step(aws_tables: dict[str, str], dynamodb_calls) -> None:
    query = {
        "select": ["Name", "ParentCompany__gr.Name", "ParentCompany__gr.Industry"],
        "where": {"conditions": [{"name": "ParentCompany__gr.Name", "alias": "A", "operator": "IS_NULL", "value": []}]},
        "orderBy": {"ParentCompany__gr.Name": "asc"},
        "limit": 5000,
    }
    for granted in (True, False):
        calls = []
        for count in (3, 10):  # 10 children and 10 parents: every batch within 100 keys
            principal, _ = _parented(count, granted)
            dynamodb_calls.clear()
            rows = query_objects(principal, "Company", query)["records"]
            assert len(rows) == count
            assert all(r["ParentCompany__gr.Name"] is None for r in rows)
            calls.append(list(dynamodb_calls))
        # The same calls for 3 and for 10 rows: one batch per step, never one per row.
        assert calls[0] == calls[1], (granted, calls)
        # Teams: the user, its memberships, its Manager<1-3> index items in one batch (it
        # manages no one here: no records to read after them), the visible companies;
        # hidden parents are never read. Rule: the user, the object's counter (a read
        # of every company is refused past objects.candidates.MAX_READ), the
        # companies, one batched decision for them all; the parents were decided with them.
        expected = ["GetItem", "Query", "BatchGetItem", "BatchGetItem"]
        assert calls[0] == (expected if granted else ["GetItem", "GetItem", "Query", "BatchGetItem"]), calls[0]


def _company(world: dict[str, Any], company_gsids: list[str], gsid: str) -> dict[str, Any]:
    i = company_gsids.index(gsid)
    return {"Name": f"C{i}", "Industry": world["industries"][i]}


def test_the_access_check_reads_team_records_at_their_keys(aws_tables: dict[str, str], dynamodb_calls) -> None:
    tenant = tenants.create_tenant("Keyed teams")
    tenant_id, admin_gsid = tenant["tenantId"], tenant["superAdminGsid"]
    admin = auth.authenticate({"accesskey": tenant["accessKey"]})
    boss_gsid, rep_gsid = _create_users(
        admin, [{"SFDCUserName": f"{n}@k.example", "Email": f"{n}@k.example", "Name": n} for n in ("boss", "rep")]
    )
    _set_managers(admin, {rep_gsid: boss_gsid})
    boss, rep = {"Gsid": boss_gsid}, {"Gsid": rep_gsid}
    companies = BulkStore(tenant_id, COMPANY.shape, admin_gsid)
    managed, member, other = (c["Gsid"] for c in companies.upsert([(None, {"Name": n}) for n in ("M", "B", "O")]))
    companies.flush()
    _assign(admin, [(managed, rep_gsid), (member, boss_gsid)])  # the rep's record names the boss at level 1
    tenant_item = table.read_one(keys.tenant(tenant_id)) or {}
    admin = Principal(tenant_id, "Keyed", admin_gsid, True, "ACCESS_KEY", "k", {}, tenant_item)

    dynamodb_calls.clear()
    # The manager's reason names the member, read from the record the index item names.
    assert access.check(admin, boss["Gsid"], managed) == {
        "allowed": True,
        "reasons": [{"kind": "MANAGER", "detail": {"level": 1, "member": rep["Gsid"]}}],
    }
    assert dynamodb_calls == ["BatchGetItem", "BatchGetItem"]
    dynamodb_calls.clear()
    # Membership is the record item at "<CompanyId>#<UserId>": one read decides.
    assert access.check(admin, boss["Gsid"], member) == {
        "allowed": True,
        "reasons": [{"kind": "TEAM_MEMBER", "detail": "On the team of B"}],
    }
    assert access.check(admin, boss["Gsid"], other) == {"allowed": False, "reasons": []}
    assert dynamodb_calls == ["BatchGetItem", "BatchGetItem"]
    as_boss = Principal(tenant_id, "Keyed", boss["Gsid"], False, "ACCESS_KEY", "k", {}, tenant_item)
    assert access.visible_companies(as_boss) == {managed, member}
    flags = access.permitted(
        as_boss, [{"Gsid": g, "Name": n} for g, n in ((managed, "M"), (member, "B"), (other, "O"))]
    )
    assert flags == [True, True, False]
