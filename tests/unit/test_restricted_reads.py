"""Reads at scale for callers that do not see every company (SPEC §4.3, §4b) and for the
team listings (SPEC §4.4): the access path and the bound apply to them too, counted in
DynamoDB items read and calls on the planner tests' tenant (600 companies, a CSM on
the teams of the oldest 40)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cscore.auth.principal import Principal
from cscore.catalog import SHAPES
from cscore.errors import ApiError
from cscore.objects import candidates, planner, query
from cscore.objects.bulk import BulkStore
from cscore.permissions import settings as permission_settings
from cscore.permissions.models import CompanySettings
from cscore.platform import aws, keys, table
from cscore.query import QueryRequest
from cscore.teams import membership
from cscore.teams import records as team_records
from cscore.teams.models import RecordQuery
from cscore.users import service as users_service
from tests.unit import test_query_planner as planner_tests
from tests.unit.test_query_planner import ENERGY_RULE, _reference, _where

# The planner tests' fixtures: their tenant and its super admin (items_read is in conftest).
admin, tenant = planner_tests.admin, planner_tests.tenant

ON_TEAMS = 40  # the CSM is a member of the teams of companies[:40]


@pytest.fixture
def calls() -> Iterator[list[str]]:
    """The DynamoDB operations cscore makes, in order."""
    made: list[str] = []

    def count(model: Any, **_: Any) -> None:
        made.append(model.name)

    client = aws.dynamodb()
    client.meta.events.register("before-call.dynamodb", count)
    yield made
    client.meta.events.unregister("before-call.dynamodb", count)


def _as(admin: Principal, user_gsid: str, settings: dict[str, Any]) -> Principal:
    """``user_gsid`` as a caller (not a super admin) of a tenant with these company data
    permission settings."""
    permission_settings.put_settings(admin, CompanySettings.model_validate(settings))
    tenant_item = table.read_one(keys.tenant(admin.tenant_id)) or {}
    return Principal(admin.tenant_id, "P", user_gsid, False, "ACCESS_KEY", "k", {}, tenant_item)


@pytest.fixture
def on_teams(admin: Principal, tenant: dict[str, Any]) -> Principal:
    """The CSM on 40 teams, in a tenant where company data follows teams only."""
    return _as(admin, tenant["csms"][0], {"public": False, "teamBased": True, "rules": []})


def _query(caller: Principal, obj: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(query.query_objects(caller, obj, QueryRequest.model_validate(body))["records"])


def test_a_team_restricted_query_reads_its_companies_not_the_object(on_teams, tenant, items_read) -> None:
    body = {"select": ["Gsid", "Name"], "where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ARR": "desc"}}
    expected = _reference(on_teams, "Company", body)
    items_read.clear()
    assert _query(on_teams, "Company", body) == expected
    assert len(expected) == ON_TEAMS // 10
    # Its memberships (GSI3), then the 40 companies by key: not the other 560.
    assert sum(items_read) <= ON_TEAMS + ON_TEAMS + 2, items_read


def test_a_team_restricted_query_naming_records_reads_only_those(on_teams, tenant, items_read) -> None:
    for name, found in (("co 0003", ["Co 0003"]), ("co 0500", [])):  # on its teams / not
        body = {"select": ["Name"], "where": _where(("Name", "EQ", [name]))}
        items_read.clear()
        assert [r["Name"] for r in _query(on_teams, "Company", body)] == found
        # Its memberships, the Name index item and the one record: none of its other 39 companies.
        assert sum(items_read) <= ON_TEAMS + 2 + 2, items_read


def test_a_team_restricted_query_past_the_bound_is_the_same_400(on_teams, tenant, items_read, monkeypatch) -> None:
    monkeypatch.setattr(candidates, "MAX_READ", ON_TEAMS - 10)
    unordered = {"select": ["Name"], "where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ARR": "desc"}}
    with pytest.raises(ApiError) as refused:
        _query(on_teams, "Company", unordered)
    assert (refused.value.status, refused.value.code) == (400, "GSOBJ_1013")
    assert "Narrow it with EQ/IN on Gsid" in refused.value.desc
    # In an index order, the walk stops once the page is full: its visible companies are
    # the oldest, so 5 records read serve the first page.
    ordered = {"select": ["Name"], "orderBy": {"ModifiedDate": "asc"}, "limit": 5}
    expected = _reference(on_teams, "Company", ordered)
    items_read.clear()
    assert _query(on_teams, "Company", ordered) == expected == [{"Name": f"Co {i:04d}"} for i in range(5)]
    assert sum(items_read) <= ON_TEAMS + 5 + 2, items_read


def test_team_restricted_records_of_many_companies_go_through_the_planner(
    on_teams, tenant, items_read, calls, monkeypatch
) -> None:
    body = {"select": ["Gsid", "CompanyId"], "orderBy": {"ModifiedDate": "desc"}, "limit": 5}
    expected = _reference(on_teams, "CompanyTeam", body)
    calls.clear()
    assert _query(on_teams, "CompanyTeam", body) == expected and len(expected) == 5
    assert calls.count("Query") <= ON_TEAMS + 2  # a partition per visible company (<= MAX_PARTITIONS)
    # Visible companies past MAX_PARTITIONS: the records' own index in the requested order,
    # read until the page is full, instead of a Query per company.
    monkeypatch.setattr(planner, "MAX_PARTITIONS", 10)
    calls.clear()
    items_read.clear()
    assert _query(on_teams, "CompanyTeam", body) == expected
    assert calls.count("Query") <= 4, calls
    assert sum(items_read) <= ON_TEAMS + 5 + 5 + 2, items_read  # memberships, 5 records, their companies


@pytest.fixture
def ruled(admin: Principal, tenant: dict[str, Any]) -> Principal:
    """A user the Energy rule applies to (Title Energy: sees Energy companies, 1 in 10),
    in a tenant where no team decides anything."""
    made = users_service.create_users(
        admin, {"records": [{"Name": "Desk", "Email": "desk@x.io", "SFDCUserName": "desk@x.io", "Title": "Energy"}]},
        notify="false",
    )["records"]  # fmt: skip
    return _as(admin, made[0]["Gsid"], {"public": False, "teamBased": False, "rules": [ENERGY_RULE]})


def test_a_rule_restricted_page_stops_once_full(ruled, tenant, items_read, calls, monkeypatch) -> None:
    body = {"select": ["Name"], "orderBy": {"ModifiedDate": "desc"}, "limit": 5}
    expected = _reference(ruled, "Company", body)
    assert expected == [{"Name": f"Co {i:04d}"} for i in (590, 580, 570, 560, 550)]
    items_read.clear()
    calls.clear()
    assert _query(ruled, "Company", body) == expected
    # 5 then at least 100 of the newest (1 in 10 visible), the caller once a page; no
    # team facts read when teams decide nothing.
    assert sum(items_read) <= 5 + 100 + 2 + 3, items_read
    assert calls.count("BatchGetItem") <= 3, calls
    monkeypatch.setattr(candidates, "MAX_READ", 100)
    rare = {"select": ["Name"], "where": _where(("Name", "CONTAINS", ["0001"])), "orderBy": {"ModifiedDate": "desc"}}
    with pytest.raises(ApiError) as refused:
        _query(ruled, "Company", rare)
    assert refused.value.code == "GSOBJ_1013"


def test_team_listings_read_one_partition_bounded(admin, tenant, items_read, monkeypatch) -> None:
    csm = tenant["csms"][0]
    items_read.clear()
    companies = membership.user_companies(admin, csm)["companies"]
    assert sorted(c["CompanyName"] for c in companies) == [f"Co {i:04d}" for i in range(ON_TEAMS)]
    # The user, its 40 team records (GSI3), their 40 companies and the one user.
    assert sum(items_read) <= 1 + ON_TEAMS + ON_TEAMS + 1, items_read
    first = tenant["companies"][0]["Gsid"]
    items_read.clear()
    members = membership.company_members(admin, first)["members"]
    assert [m["UserId"] for m in members] == [csm]
    assert sum(items_read) <= 1 + 1 + 1 + 1, items_read
    # A partition longer than the bound: refused after reading just past it.
    monkeypatch.setattr(candidates, "MAX_READ", 15)
    monkeypatch.setattr(team_records, "LISTING_PAGE", 10)
    items_read.clear()
    with pytest.raises(ApiError) as refused:
        membership.user_companies(admin, csm)
    assert (refused.value.status, refused.value.code) == (400, "GSOBJ_1013")
    assert "POST /v1/teams/records/list" in refused.value.desc and f"UserId EQ {csm}" in refused.value.desc
    assert sum(items_read) <= 1 + 20, items_read


def test_a_team_admins_record_list_reads_the_teams_it_administers(admin, tenant, on_teams, calls) -> None:
    csm = tenant["csms"][0]
    administered = [c["Gsid"] for c in tenant["companies"][100:103]]
    store = BulkStore(admin.tenant_id, SHAPES["CompanyTeam"], admin.user_gsid)
    store.upsert([(None, {"CompanyId": c, "UserId": csm, "UserAccess": "Admin"}) for c in administered])
    store.flush()
    body = RecordQuery.model_validate({"select": ["CompanyId", "UserAccess"], "limit": 100})
    calls.clear()
    rows = team_records.list_records(on_teams, body)["records"]
    assert sorted(r["CompanyId"] for r in rows) == sorted(administered)
    # Its memberships (twice: its scope, its visible companies), then the 3 teams it
    # administers: none of the 40 it is only a member of.
    assert calls.count("Query") <= 2 + 3, calls
