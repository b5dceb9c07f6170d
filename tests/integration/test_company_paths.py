"""Company data permissions through every path, over HTTP (SPEC §4.3): a caller who may not
access a company reads nothing of it through lookup paths (select, where, orderBy), and
every write that names it answers exactly as for a company that does not exist; lookup
paths into User show a non-admin only the fields anyone may see."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from cscore.platform import ids
from tests.integration.stack import LocalStack
from tests.integration.test_connector import Api
from tests.integration.test_permissions import SETTINGS, _user

pytestmark = pytest.mark.integration
QUERY = "/v1/data/objects/query"
COMPANIES = "/v1/data/objects/Company"
HIDDEN_NAME = "Aaa Hidden Parent"
ENERGY_DESK = {
    "name": "Energy desk",
    "user": {"conditions": [{"name": "Title", "alias": "A", "operator": "EQ", "value": ["Energy"]}]},
    "company": {"conditions": [{"name": "Industry", "alias": "A", "operator": "EQ", "value": ["Energy"]}]},
}


class World:
    """One tenant: a restricted user (Title Energy, not a super admin, Public off) on the
    teams of Visible Child, Zed Visible Parent and Second Child; Visible Child's parent is
    a Retail company the user is not on the team of (hidden), Second Child's parent is
    visible."""

    def __init__(self, stack: LocalStack, tenant: dict[str, str]) -> None:
        self.stack = stack
        self.admin = Api(stack, tenant["accessKey"])
        self.admin.call("POST", "/v1/meta/objects/Company/fields", json={"name": "Secret__gc", "type": "string"})
        self.me = _user(self.admin, "Energy")
        self.csm = _user(self.admin, "Csm")
        self.hidden = self._company(
            {"Name": HIDDEN_NAME, "Industry": "Retail", "ARR": 1000, "Secret__gc": "s3cret", "Csm": self.csm}
        )
        self.parent = self._company({"Name": "Zed Visible Parent", "Industry": "Retail", "ARR": 10})
        self.child = self._company({"Name": "Visible Child", "ParentCompany": self.hidden, "Csm": self.csm})
        self.second = self._company({"Name": "Second Child", "ParentCompany": self.parent})
        team = {"records": [{"CompanyId": c} for c in (self.child, self.parent, self.second)]}
        self.admin.call("POST", f"/v1/teams/users/{self.me}/companies", json=team)
        key = stack.csadmin("key", "create", "--tenant", tenant["tenantId"], "--user", self.me)["accessKey"]
        self.user = Api(stack, key)
        self.key = key

    def _company(self, record: dict[str, Any]) -> str:
        return str(self.admin.call("POST", COMPANIES, json={"records": [record]})["records"][0]["Gsid"])

    def with_rule(self) -> None:
        """A rule applies to the user: access is then decided company by company."""
        self.admin.call("PUT", SETTINGS, json={"public": False, "teamBased": True, "rules": [ENERGY_DESK]})

    def raw(self, method: str, path: str, body: Any = None, **params: str) -> requests.Response:
        return requests.request(
            method, f"{self.stack.api}{path}", headers={"accesskey": self.key}, json=body, params=params, timeout=60
        )


@pytest.fixture
def world(stack: LocalStack, tenant: dict[str, str]) -> World:
    return World(stack, tenant)


def _where(*conditions: tuple[str, str, list[Any]]) -> dict[str, Any]:
    return {"conditions": [{"name": n, "alias": f"A{i}", "operator": o, "value": v} for i, (n, o, v) in
                           enumerate(conditions)]}  # fmt: skip


PARENT_PATHS = ["ParentCompany__gr.Gsid", "ParentCompany__gr.Name", "ParentCompany__gr.ARR",
                "ParentCompany__gr.Secret__gc", "ParentCompany__gr.Csm"]  # fmt: skip


@pytest.mark.parametrize("decided_by", ["teams", "rules"])
def test_lookup_paths_show_nothing_of_a_hidden_company(world: World, decided_by: str) -> None:
    if decided_by == "rules":
        world.with_rule()
    one = {"select": ["Name", *PARENT_PATHS], "where": _where(("Gsid", "EQ", [world.child]))}
    seen = world.admin.call("POST", f"{QUERY}/Company", json=one)["records"]
    assert seen[0]["ParentCompany__gr.Secret__gc"] == "s3cret" and seen[0]["ParentCompany__gr.ARR"] == 1000
    rows = world.user.call("POST", f"{QUERY}/Company", json=one)["records"]
    assert rows == [{"Name": "Visible Child", **dict.fromkeys(PARENT_PATHS)}]
    # A visible parent still shows.
    two = {"select": ["ParentCompany__gr.Name"], "where": _where(("Gsid", "EQ", [world.second]))}
    assert world.user.call("POST", f"{QUERY}/Company", json=two)["records"] == [
        {"ParentCompany__gr.Name": "Zed Visible Parent"}
    ]

    # Conditions see null: no oracle on the hidden parent's values.
    for condition in (
        ("ParentCompany__gr.ARR", "GT", [500]),
        ("ParentCompany__gr.Secret__gc", "EQ", ["s3cret"]),
        ("ParentCompany__gr.Name", "STARTS_WITH", ["Aaa"]),
        ("ParentCompany__gr.Gsid", "EQ", [world.hidden]),
    ):
        probe = {"select": ["Name"], "where": _where(condition)}
        assert len(world.admin.call("POST", f"{QUERY}/Company", json=probe)["records"]) == 1, condition
        assert world.user.call("POST", f"{QUERY}/Company", json=probe)["records"] == [], condition
    nulls = {"select": ["Name"], "where": _where(("ParentCompany__gr.Name", "IS_NULL", []),
                                                  ("Gsid", "EQ", [world.child]))}  # fmt: skip
    assert world.user.call("POST", f"{QUERY}/Company", json=nulls)["records"] == [{"Name": "Visible Child"}]

    # Ordering treats the hidden parent's name as null (last when ascending).
    ordered = {
        "select": ["Name"],
        "where": _where(("Gsid", "IN", [world.child, world.second])),
        "orderBy": {"ParentCompany__gr.Name": "asc"},
    }
    as_admin = [r["Name"] for r in world.admin.call("POST", f"{QUERY}/Company", json=ordered)["records"]]
    assert as_admin == ["Visible Child", "Second Child"]
    as_user = [r["Name"] for r in world.user.call("POST", f"{QUERY}/Company", json=ordered)["records"]]
    assert as_user == ["Second Child", "Visible Child"]

    # Two steps deep, from an object that looks Company up.
    deep = {
        "select": ["CompanyId", "CompanyId__gr.Name", "CompanyId__gr.ParentCompany__gr.Name"],
        "where": _where(("CompanyId", "EQ", [world.child])),
    }
    assert world.user.call("POST", f"{QUERY}/CompanyTeam", json=deep)["records"] == [
        {"CompanyId": world.child, "CompanyId__gr.Name": "Visible Child", "CompanyId__gr.ParentCompany__gr.Name": None}
    ]


def _answer(response: requests.Response, *secrets: str) -> tuple[Any, ...]:
    """What a caller learns from an answer, with the value it named blanked out."""

    def blank(text: Any) -> Any:
        for secret in secrets:
            text = str(text).replace(secret, "<named>")
        return text

    body = response.json()
    errors = (body.get("data") or {}).get("errors") or []
    return (
        response.status_code,
        body["errorCode"],
        blank(body["errorDesc"]),
        [(e["errorCode"], blank(e["errorMessage"])) for e in errors],
    )


def test_writes_naming_a_hidden_company_answer_as_for_a_missing_one(world: World) -> None:
    world.with_rule()  # the user may insert and update Energy companies
    missing = ids.new_gsid(ids.COMPANY)
    absent = "No Such Company"
    pairs = [
        # Insert naming the parent by name, then by GSID.
        (("POST", COMPANIES, {"records": [{"Name": "New", "Industry": "Energy", "ParentCompanyName": HIDDEN_NAME}]}),
         ("POST", COMPANIES, {"records": [{"Name": "New", "Industry": "Energy", "ParentCompanyName": absent}]}), {}),
        (("POST", COMPANIES, {"records": [{"Name": "New", "Industry": "Energy", "ParentCompany": world.hidden}]}),
         ("POST", COMPANIES, {"records": [{"Name": "New", "Industry": "Energy", "ParentCompany": missing}]}), {}),
        # Update of a company the user sees, pointing it at the hidden one.
        (("PUT", COMPANIES, {"records": [{"Gsid": world.child, "ParentCompany": world.hidden}]}),
         ("PUT", COMPANIES, {"records": [{"Gsid": world.child, "ParentCompany": missing}]}), {"keys": "Gsid"}),
        (("PUT", COMPANIES, {"records": [{"Gsid": world.child, "ParentCompanyName": HIDDEN_NAME}]}),
         ("PUT", COMPANIES, {"records": [{"Gsid": world.child, "ParentCompanyName": absent}]}), {"keys": "Gsid"}),
        # Update and delete of the hidden company by its keys.
        (("PUT", COMPANIES, {"records": [{"Gsid": world.hidden, "Stage": "x"}]}),
         ("PUT", COMPANIES, {"records": [{"Gsid": missing, "Stage": "x"}]}), {"keys": "Gsid"}),
        (("PUT", COMPANIES, {"records": [{"Name": HIDDEN_NAME, "Stage": "x"}]}),
         ("PUT", COMPANIES, {"records": [{"Name": absent, "Stage": "x"}]}), {"keys": "Name"}),
        (("DELETE", f"{COMPANIES}/{world.hidden}", None), ("DELETE", f"{COMPANIES}/{missing}", None), {}),
    ]  # fmt: skip
    for (method, path, body), (other_method, other_path, other_body), params in pairs:
        named = world.raw(method, path, body, **params)
        assert named.status_code >= 400, named.text
        nothing = world.raw(other_method, other_path, other_body, **params)
        secrets = (world.hidden, missing, HIDDEN_NAME, absent)
        assert _answer(named, *secrets) == _answer(nothing, *secrets), (named.text, nothing.text)

    # Nothing of the hidden company changed, and no company points at it.
    hidden = {"select": ["Stage", "Name"], "where": _where(("Gsid", "EQ", [world.hidden]))}
    assert world.admin.call("POST", f"{QUERY}/Company", json=hidden)["records"] == [
        {"Stage": None, "Name": HIDDEN_NAME}
    ]
    children = {"select": ["Name"], "where": _where(("ParentCompany", "EQ", [world.hidden]))}
    assert world.admin.call("POST", f"{QUERY}/Company", json=children)["records"] == [{"Name": "Visible Child"}]


def test_a_team_admin_naming_a_hidden_company_learns_nothing(world: World) -> None:
    world.admin.call("POST", f"/v1/teams/companies/{world.child}/members",
                     json={"records": [{"UserId": world.me, "UserAccess": "Admin"}]})  # fmt: skip
    missing = ids.new_gsid(ids.COMPANY)
    secrets = (world.hidden, missing)
    pairs = [
        ("POST", f"/v1/teams/users/{world.csm}/companies", {"records": [{"CompanyId": "{c}"}]}),
        # With a team it administers in the same request, the other company is decided per record.
        (
            "POST",
            f"/v1/teams/users/{world.csm}/companies",
            {"records": [{"CompanyId": world.child}, {"CompanyId": "{c}"}]},
        ),
        ("POST", "/v1/teams/companies/{c}/members", {"records": [{"UserId": world.csm}]}),
        ("GET", "/v1/teams/companies/{c}/members", None),
        ("DELETE", f"/v1/teams/companies/{{c}}/members/{world.csm}", None),
        ("PUT", "/v1/teams/records", {"records": [{"CompanyId": "{c}", "UserId": world.csm, "Note__gc": "x"}]}),
        ("POST", "/v1/teams/records/delete", {"records": [{"CompanyId": "{c}", "UserId": world.csm}]}),
    ]
    for method, path, body in pairs:
        answers: list[tuple[Any, ...]] = []
        for company in (world.hidden, missing):
            filled = None if body is None else _fill(body, company)
            answers.append(_answer(world.raw(method, path.replace("{c}", company), filled), *secrets))
        assert answers[0][1] is not None or answers[0][3], (method, path, answers)
        assert answers[0] == answers[1], (method, path, answers)


def _fill(body: dict[str, Any], company: str) -> dict[str, Any]:
    return {"records": [{k: company if v == "{c}" else v for k, v in r.items()} for r in body["records"]]}


ADMIN_ONLY_USER_FIELDS = [
    "Csm__gr.SFDCUserName",
    "Csm__gr.SfdcUserId",
    "Csm__gr.IsSuperAdmin",
    "Csm__gr.permissionBundles",
    "Csm__gr.LicenseType",
    "Csm__gr.Manager",
    "CreatedBy__gr.SFDCUserName",
    "CreatedBy__gr.IsSuperAdmin",
    "Csm__gr.Manager__gr.Name",
]


@pytest.mark.parametrize("path", ADMIN_ONLY_USER_FIELDS)
def test_user_fields_through_lookup_paths_are_for_super_admins(world: World, path: str) -> None:
    visible = {"where": _where(("Gsid", "EQ", [world.child]))}
    seen = world.admin.call("POST", f"{QUERY}/Company", json={**visible, "select": ["Name", path]})["records"]
    assert path in seen[0]
    unknown = path.rsplit(".", 1)[0] + ".NoSuchField"
    uses = [
        lambda p: {**visible, "select": ["Name", p]},
        lambda p: {"select": ["Name"], "where": _where(("Gsid", "EQ", [world.child]), (p, "IS_NOT_NULL", []))},
        lambda p: {**visible, "select": ["Name"], "orderBy": {p: "asc"}},
    ]
    for use in uses:
        refused = world.raw("POST", f"{QUERY}/Company", use(path))
        like_unknown = world.raw("POST", f"{QUERY}/Company", use(unknown))
        assert refused.status_code == 400 and refused.json()["errorCode"] == "GSOBJ_1002", refused.text
        assert _answer(refused, path, unknown) == _answer(like_unknown, path, unknown)
        assert path in refused.json()["errorDesc"]


def test_user_fields_anyone_may_see_through_lookup_paths(world: World) -> None:
    query = {
        "select": ["Csm__gr.Name", "Csm__gr.Email", "Csm__gr.Title", "Csm__gr.IsActiveUser"],
        "where": _where(("Gsid", "EQ", [world.child]), ("Csm__gr.Title", "EQ", ["Csm"])),
        "orderBy": {"Csm__gr.Name": "asc"},
    }
    rows = world.user.call("POST", f"{QUERY}/Company", json=query)["records"]
    assert rows[0]["Csm__gr.Title"] == "Csm" and rows[0]["Csm__gr.Email"].endswith("@perm.example")


def test_team_search_shows_a_team_admin_only_the_user_fields_anyone_may_see(world: World) -> None:
    world.admin.call("POST", f"/v1/teams/companies/{world.child}/members",
                     json={"records": [{"UserId": world.me, "UserAccess": "Admin"}]})  # fmt: skip
    search = {"type": "user", "text": world.csm}
    assert world.admin.call("POST", "/v1/teams/search", json={**search, "fields": ["SFDCUserName"]})["users"]
    shown = world.user.call("POST", "/v1/teams/search", json={**search, "fields": ["Title"]})["users"]
    assert shown[0]["Title"] == "Csm"
    for name in ("SFDCUserName", "IsSuperAdmin", "SfdcUserId"):
        refused = world.raw("POST", "/v1/teams/search", {**search, "fields": [name]})
        unknown = world.raw("POST", "/v1/teams/search", {**search, "fields": ["NoSuchField"]})
        assert refused.status_code == 400, refused.text
        assert _answer(refused, name, "NoSuchField") == _answer(unknown, name, "NoSuchField")
