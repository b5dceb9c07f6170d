"""Compare a stand-in org with the platform, field by field, the way the out-of-the-box
jobs map them (SPEC §3.2): what the sync promises, stated independently of its code."""

from __future__ import annotations

from typing import Any

import requests

from tests.integration.salesforce import Sandbox
from tests.integration.stack import LocalStack


def _iso(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 28 and value.endswith("+0000"):
        return value[:23] + "Z"
    return value


class Platform:
    """The platform's synced objects, read through its own API."""

    def __init__(self, stack: LocalStack, access_key: str) -> None:
        self.stack, self.key = stack, access_key

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        answer = requests.post(f"{self.stack.api}{path}", headers={"accesskey": self.key}, json=body, timeout=120)
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]

    def objects(self, obj: str, fields: list[str]) -> list[dict[str, Any]]:
        return list(
            self._post(f"/v1/data/objects/query/{obj}", {"select": ["Gsid", *fields], "limit": 5000})["records"]
        )

    def users(self) -> list[dict[str, Any]]:
        body = {"select": ["Gsid", "SFDCUserName", "SfdcUserId", "Email", "FirstName", "LastName", "Name", "Title",
                           "Timezone", "Locale", "IsActiveUser", "Manager", "IsSuperAdmin"], "limit": 1000}  # fmt: skip
        return [u for u in self._post("/v1/users/services/list", body)["users"] if not u.get("IsSuperAdmin")]


def expected_and_actual(
    sandbox: Sandbox, org_id: str, platform: Platform, team_roles: dict[str, str], user_types: tuple[str, ...]
) -> dict[str, Any]:
    """For each object: (what the org says the platform should hold, what it holds),
    both as sorted lists of plain dicts keyed by Salesforce ids and labels."""
    sf = {o: sandbox.call("GET", f"/orgs/{org_id}/records/{o}")["records"] for o in ("User", "Account", "Contact")}
    sf["AccountTeamMember"] = sandbox.call("GET", f"/orgs/{org_id}/records/AccountTeamMember")["records"]
    synced_users = [u for u in sf["User"] if u["UserType"] in user_types]
    user_ids = {u["Id"] for u in synced_users}
    account_ids = {a["Id"] for a in sf["Account"]}

    users = platform.users()
    by_gsid = {u["Gsid"]: u for u in users}
    expected_users = sorted(
        (
            u["Username"], u["Id"], u["Email"], u["FirstName"], u["LastName"], u["Name"], u["Title"],
            u["TimeZoneSidKey"], u["LocaleSidKey"], u["IsActive"],
            u["ManagerId"] if u.get("ManagerId") in user_ids else None,
        )
        for u in synced_users
    )  # fmt: skip
    actual_users = sorted(
        (
            u["SFDCUserName"], u["SfdcUserId"], u["Email"], u["FirstName"], u["LastName"], u["Name"], u["Title"],
            u["Timezone"], u["Locale"], u["IsActiveUser"],
            by_gsid[u["Manager"]]["SfdcUserId"] if u.get("Manager") else None,
        )
        for u in users
    )  # fmt: skip

    companies = platform.objects(
        "Company", ["SfdcAccountId", "Name", "Industry", "Type", "Website", "ParentCompany", "Csm"]
    )
    company_sfid = {c["Gsid"]: c["SfdcAccountId"] for c in companies}
    expected_companies = sorted(
        (
            a["Id"], a["Name"], a["Industry"], a["Type"], a["Website"],
            a["ParentId"] if a.get("ParentId") in account_ids else None,
            a["OwnerId"] if a.get("OwnerId") in user_ids else None,
        )
        for a in sf["Account"]
    )  # fmt: skip
    actual_companies = sorted(
        (
            c["SfdcAccountId"], c["Name"], c["Industry"], c["Type"], c["Website"],
            company_sfid.get(c["ParentCompany"]) if c.get("ParentCompany") else None,
            by_gsid[c["Csm"]]["SfdcUserId"] if c.get("Csm") else None,
        )
        for c in companies
    )  # fmt: skip

    persons = {p["Gsid"]: p for p in platform.objects("Person", ["Email", "FirstName", "LastName", "Title", "Phone"])}
    links = platform.objects("CompanyPerson", ["SfdcContactId", "CompanyId", "PersonId"])
    contacts = [c for c in sf["Contact"] if c.get("Email") and c.get("AccountId") in account_ids]
    # A person is one e-mail address: the contact changed last wins its fields.
    latest: dict[str, dict[str, Any]] = {}
    for c in sorted(contacts, key=lambda c: c["SystemModstamp"]):
        latest[c["Email"].lower()] = c
    expected_links = sorted(
        (c["Id"], c["AccountId"], c["Email"].lower(), latest[c["Email"].lower()]["LastName"]) for c in contacts
    )
    actual_links = sorted(
        (
            link["SfdcContactId"], company_sfid.get(link["CompanyId"]),
            persons[link["PersonId"]]["Email"].lower(), persons[link["PersonId"]]["LastName"],
        )
        for link in links
    )  # fmt: skip

    team = platform.objects(
        "CompanyTeam", ["SfdcAccountTeamMemberId", "CompanyId", "UserId", "TeamRole", "UserSource", "UserAccess"]
    )
    expected_team = sorted(
        (m["Id"], m["AccountId"], m["UserId"], m["TeamMemberRole"], "Salesforce", "Member")
        for m in sf["AccountTeamMember"]
        if m["AccountId"] in account_ids and m["UserId"] in user_ids
    )
    actual_team = sorted(
        (
            t["SfdcAccountTeamMemberId"], company_sfid.get(t["CompanyId"]), by_gsid[t["UserId"]]["SfdcUserId"],
            team_roles.get(t["TeamRole"], t["TeamRole"]), t["UserSource"], t["UserAccess"],
        )
        for t in team
    )  # fmt: skip
    return {
        "User": (expected_users, actual_users),
        "Company": (expected_companies, actual_companies),
        "CompanyPerson": (expected_links, actual_links),
        "CompanyTeam": (expected_team, actual_team),
    }


def assert_in_sync(
    sandbox: Sandbox,
    org_id: str,
    platform: Platform,
    team_roles: dict[str, str],
    user_types: tuple[str, ...] = ("Standard",),
) -> None:
    """The platform holds exactly what the org says, for users of ``user_types`` (the
    User Sync filter)."""
    for obj, (expected, actual) in expected_and_actual(sandbox, org_id, platform, team_roles, user_types).items():
        missing = [row for row in expected if row not in actual]
        extra = [row for row in actual if row not in expected]
        assert not missing and not extra, f"{obj}: missing {missing[:5]} extra {extra[:5]}"
        assert len(expected) == len(actual), obj
