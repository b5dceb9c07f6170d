"""POST /v1/data/objects/query/Company: Gainsight's answer shape over the query language."""

from __future__ import annotations

from typing import Any

import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.companies import service as companies
from cscore.errors import ApiError
from cscore.objects import query
from cscore.tenants import service as tenants
from cscore.users import service as users


@pytest.fixture
def admin(aws_tables) -> Principal:
    return auth.authenticate({"accesskey": tenants.create_tenant("Query")["accessKey"]})


@pytest.fixture
def data(admin) -> dict[str, Any]:
    csm = users.create_users(admin, {"records": [{"Name": "Cas", "Email": "cas@x.io", "SFDCUserName": "cas@x.io"}]})
    parent = companies.insert_companies(admin, [{"Name": "Holding", "ARR": 1000}])["records"][0]
    children = companies.insert_companies(
        admin,
        [
            {
                "Name": "Acme",
                "ARR": 50,
                "RenewalDate": "2027-03-01",
                "CsmEmail": "cas@x.io",
                "ParentCompanyName": "Holding",
            },
            {"Name": "acme labs", "ARR": 150, "RenewalDate": "2027-01-15"},
            {"Name": "Bolt", "ARR": 10},
        ],
    )["records"]
    return {"csm": csm["records"][0], "parent": parent, "children": children}


def _q(admin: Principal, body: dict[str, Any]) -> list[dict[str, Any]]:
    return query.query_objects(admin, "Company", body)["records"]


def test_selected_fields_lookups_and_epoch_millis(admin, data) -> None:
    rows = _q(
        admin,
        {"select": ["Name", "RenewalDate", "Csm__gr.Email", "ParentCompany__gr.Name"], "orderBy": {"Name": "asc"}},
    )
    assert rows[0] == {
        "Name": "Acme",
        "RenewalDate": 1803859200000,
        "Csm__gr.Email": "cas@x.io",
        "ParentCompany__gr.Name": "Holding",
    }
    assert [r["Name"] for r in rows] == ["Acme", "acme labs", "Bolt", "Holding"]
    assert rows[1]["Csm__gr.Email"] is None


def test_conditions_on_numbers_dates_and_lookup_paths(admin, data) -> None:
    def names(*conditions: dict[str, Any], expression: str | None = None) -> list[str]:
        where: dict[str, Any] = {"conditions": list(conditions)}
        if expression:
            where["expression"] = expression
        return [r["Name"] for r in _q(admin, {"select": ["Name"], "where": where, "orderBy": {"ARR": "desc"}})]

    assert names({"name": "ARR", "alias": "A", "operator": "BTW", "value": [10, 150]}) == ["acme labs", "Acme", "Bolt"]
    assert names({"name": "RenewalDate", "operator": "LT", "value": ["2027-02-01 00:00:00"]}) == ["acme labs"]
    assert names({"name": "RenewalDate", "operator": "GTE", "value": [1803859200000]}) == ["Acme"]
    assert names({"name": "Csm__gr.Email", "operator": "EQ", "value": ["CAS@x.io"]}) == ["Acme"]
    both = ({"name": "Name", "alias": "N", "operator": "CONTAINS", "value": ["acme"]},
            {"name": "ARR", "alias": "R", "operator": "GT", "value": [100]})  # fmt: skip
    assert names(*both, expression="N AND NOT R") == ["Acme"]


def test_offset_paging_and_limits(admin, data) -> None:
    seen = [
        r["Name"]
        for o in range(0, 4, 2)
        for r in _q(admin, {"select": ["Name"], "orderBy": {"Name": "desc"}, "limit": 2, "offset": o})
    ]
    assert seen == ["Holding", "Bolt", "acme labs", "Acme"]
    with pytest.raises(ApiError, match="5000"):
        _q(admin, {"select": ["Name"], "limit": 5001})


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"select": ["Name", "Shoe"]}, "GSOBJ_1002"),
        (
            {"select": ["Name"], "where": {"conditions": [{"name": "Shoe", "operator": "EQ", "value": ["x"]}]}},
            "GSOBJ_1002",
        ),
        (
            {
                "select": ["Name"],
                "where": {"conditions": [{"name": "RenewalDate", "operator": "EQ", "value": ["soon"]}]},
            },
            "GSOBJ_1005",
        ),
        (
            {"select": ["Name"], "where": {"conditions": [{"name": "Name", "operator": "LIKE", "value": ["x"]}]}},
            "GS_1400",
        ),
    ],
)
def test_errors(admin, body: dict[str, Any], code: str) -> None:
    with pytest.raises(ApiError) as error:
        _q(admin, body)
    assert (error.value.status, error.value.code) == (400, code)


def test_unknown_objects_are_404(admin) -> None:
    with pytest.raises(ApiError) as error:
        query.query_objects(admin, "Opportunity", {"select": ["Name"]})
    assert (error.value.status, error.value.code) == (404, "GS_1404")


def test_nothing_matching_is_an_empty_list_and_tenants_are_apart(admin, data) -> None:
    assert (
        _q(
            admin,
            {"select": ["Name"], "where": {"conditions": [{"name": "Name", "operator": "EQ", "value": ["Nope"]}]}},
        )
        == []
    )
    other = auth.authenticate({"accesskey": tenants.create_tenant("Other")["accessKey"]})
    assert query.query_objects(other, "Company", {"select": ["Name"]}) == {"records": []}


def test_unfiltered_order_by_name_reads_only_its_page(admin, data, dynamodb_calls) -> None:
    dynamodb_calls.clear()
    rows = _q(admin, {"select": ["Name"], "orderBy": {"Name": "asc"}, "limit": 2})
    assert [r["Name"] for r in rows] == ["Acme", "acme labs"] and dynamodb_calls == ["Query"]


def test_csm_by_first_and_last_name_follows_renames(admin) -> None:
    pat = users.create_users(
        admin, {"records": [{"FirstName": "Pat", "LastName": "Lee", "Email": "pat@x.io", "SFDCUserName": "pat@x.io"}]}
    )
    gsid = pat["records"][0]["Gsid"]
    named = {"Name": "Named", "CSMFirstName": "pat", "CSMLastName": "LEE"}
    assert companies.insert_companies(admin, [named])["records"][0]["Csm"] == gsid
    users.update_users(admin, {"records": [{"Gsid": gsid, "LastName": "Wong"}]}, "Gsid")
    with pytest.raises(ApiError) as error:  # the old name no longer finds Pat
        companies.insert_companies(admin, [{**named, "Name": "Named 2"}])
    assert "no user named" in error.value.desc
    renamed = {"Name": "Named 3", "CSMFirstName": "Pat", "CSMLastName": "Wong"}
    assert companies.insert_companies(admin, [renamed])["records"][0]["Csm"] == gsid
