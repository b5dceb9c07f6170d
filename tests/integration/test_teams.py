"""Company Teams over HTTP through the local stack (SPEC §4.1, §4.2, §4.4): team admins,
super admins, Salesforce-owned records, custom fields, the manager chain, the switch."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from cscore.catalog import COMPANY_TEAM
from cscore.platform.dynamo import from_item
from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration


def _call(
    stack: LocalStack, access_key: str, method: str, path: str, body: Any = None, **params: str
) -> requests.Response:
    return requests.request(
        method, f"{stack.api}{path}", headers={"accesskey": access_key}, json=body, params=params or None, timeout=30
    )


def _ok(response: requests.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["result"] is (status < 400)
    return body


def _users(stack: LocalStack, key: str, *names: str) -> list[str]:
    records = [
        {
            "FirstName": n,
            "LastName": "Team",
            "Email": f"{n.lower()}@teams.example",
            "SFDCUserName": f"{n.lower()}@teams.example",
        }
        for n in names
    ]
    data = _ok(_call(stack, key, "POST", "/v1/users/services", {"records": records}, notify="false"))["data"]
    return [r["Gsid"] for r in data["records"]]


def _companies(stack: LocalStack, key: str, *names: str) -> list[str]:
    data = _ok(_call(stack, key, "POST", "/v1/data/objects/Company", {"records": [{"Name": n} for n in names]}))["data"]
    return [r["Gsid"] for r in data["records"]]


def _team_record(stack: LocalStack, tenant_id: str, company: str, user: str) -> dict[str, Any]:
    """The stored Company Team record of (company, user): keyed by "<CompanyId>#<UserId>"."""
    table = stack.info["tables"]["TenantTable"]
    item = stack.client("dynamodb").get_item(
        TableName=table, Key=COMPANY_TEAM.shape.record_key(tenant_id, f"{company}#{user}"), ConsistentRead=True
    )
    return from_item(item["Item"])


def test_team_admins_and_super_admins(stack: LocalStack, tenant: dict[str, str]) -> None:
    t, key = tenant["tenantId"], tenant["accessKey"]
    acme, globex = _companies(stack, key, "Acme", "Globex")
    lead, ann, bob = _users(stack, key, "Lead", "Ann", "Bob")
    members = f"/v1/teams/companies/{acme}/members"

    # The super admin makes Lead a team admin of Acme.
    data = _ok(_call(stack, key, "POST", members, {"records": [{"UserId": lead, "UserAccess": "Admin"}]}))["data"]
    assert data["count"] == 1 and data["records"][0]["UserAccess"] == "Admin"
    lead_key = stack.csadmin("key", "create", "--tenant", t, "--user", lead)["accessKey"]

    # The team admin adds and removes members of its team.
    data = _ok(_call(stack, lead_key, "POST", members, {"records": [{"UserId": ann}, {"UserId": bob}]}))["data"]
    assert [r["TeamRole"] for r in data["records"]] == ["Account Manager", "Account Manager"]
    listed = _ok(_call(stack, lead_key, "GET", members))["data"]["members"]
    assert [m["UserName"] for m in listed] == ["Ann Team", "Bob Team", "Lead Team"]
    _ok(_call(stack, lead_key, "DELETE", f"{members}/{bob}"))

    # ... cannot touch another team ...
    response = _call(stack, lead_key, "POST", f"/v1/teams/companies/{globex}/members", {"records": [{"UserId": bob}]})
    assert _ok(response, 403)["errorCode"] == "GS_1403"
    assert _call(stack, lead_key, "GET", f"/v1/teams/companies/{globex}/members").status_code == 403

    # ... and cannot create, edit or delete a team admin.
    response = _call(stack, lead_key, "POST", members, {"records": [{"UserId": bob, "UserAccess": "Admin"}]})
    assert _ok(response, 403)["data"]["errors"][0]["errorCode"] == "GS_1403"
    response = _call(stack, lead_key, "POST", members, {"records": [{"UserId": ann, "UserAccess": "Admin"}]})
    assert response.status_code == 403
    _ok(_call(stack, key, "POST", members, {"records": [{"UserId": bob, "UserAccess": "Admin"}]}))
    assert _call(stack, lead_key, "DELETE", f"{members}/{bob}").status_code == 403
    response = _call(
        stack, lead_key, "POST", "/v1/teams/records/delete", {"records": [{"CompanyId": acme, "UserId": bob}]}
    )
    assert response.status_code == 403
    response = _call(stack, lead_key, "POST", members, {"records": [{"UserId": bob, "UserAccess": "Member"}]})
    assert response.status_code == 403

    # The super admin can do all of it.
    _ok(_call(stack, key, "POST", members, {"records": [{"UserId": bob, "UserAccess": "Member"}]}))
    _ok(_call(stack, key, "DELETE", f"{members}/{lead}"))
    assert _call(stack, lead_key, "GET", members).status_code == 403  # no longer a team admin

    # Companies of a user; assigning companies to a user.
    _ok(_call(stack, key, "POST", f"/v1/teams/users/{ann}/companies", {"records": [{"CompanyId": globex}]}))
    companies = _ok(_call(stack, key, "GET", f"/v1/teams/users/{ann}/companies"))["data"]["companies"]
    assert [c["CompanyName"] for c in companies] == ["Acme", "Globex"]

    # Search and roles.
    found = _ok(_call(stack, key, "POST", "/v1/teams/search", {"type": "company", "text": "glob"}))["data"]
    assert found["companies"] == [{"Gsid": globex, "Name": "Globex"}]
    _ok(_call(stack, key, "POST", "/v1/teams/roles", {"label": "Renewals"}))
    assert _call(stack, key, "POST", "/v1/teams/roles", {"label": "renewals"}).status_code == 409
    labels = [r["label"] for r in _ok(_call(stack, key, "GET", "/v1/teams/roles"))["data"]["roles"]]
    assert labels == ["Account Manager", "Renewals"]
    assert _ok(_call(stack, key, "DELETE", f"{members}/{ann}"))["data"]["records"][0]["UserId"] == ann


def test_record_api_and_salesforce_records(stack: LocalStack, tenant: dict[str, str]) -> None:
    t, key = tenant["tenantId"], tenant["accessKey"]
    (acme,) = _companies(stack, key, "Acme")
    ann, bob = _users(stack, key, "Ann", "Bob")
    data = _ok(
        _call(
            stack, key, "POST", f"/v1/teams/companies/{acme}/members", {"records": [{"UserId": ann}, {"UserId": bob}]}
        )
    )
    bob_record = data["data"]["records"][1]["Gsid"]

    # Custom fields of a manual record can be edited (once defined); standard fields cannot.
    field = {"name": "Region__gc", "type": "string"}
    _ok(_call(stack, key, "POST", "/v1/meta/objects/CompanyTeam/fields", field))
    body = {"records": [{"CompanyId": acme, "UserId": ann, "Region__gc": "EMEA"}]}
    data = _ok(_call(stack, key, "PUT", "/v1/teams/records", body))["data"]
    assert data["count"] == 1 and data["records"][0]["Region__gc"] == "EMEA"
    body = {"records": [{"CompanyId": acme, "UserId": ann, "TeamRole": "Account Manager"}]}
    response = _call(stack, key, "PUT", "/v1/teams/records", body)
    assert response.status_code == 400 and "standard field" in response.json()["errorDesc"]
    # An undefined custom field or a value of the wrong type: the Company data API's code.
    for bad in ({"Nope__gc": "x"}, {"Region__gc": 5}):
        body = {"records": [{"CompanyId": acme, "UserId": ann, **bad}]}
        for method, path in (("PUT", "/v1/teams/records"), ("POST", f"/v1/teams/users/{ann}/companies")):
            answer = _call(stack, key, method, path, body).json()
            assert answer["errorCode"] == "GSOBJ_1002" and next(iter(bad)) in answer["errorDesc"], answer
    query = {
        "select": ["UserId", "TeamRole"],
        "where": {"conditions": [{"name": "UserId", "operator": "EQ", "value": [ann]}]},
    }
    rows = _ok(_call(stack, key, "POST", "/v1/teams/records/list", query))["data"]["records"]
    assert rows == [{"UserId": ann, "TeamRole": "Account Manager"}]

    # A record that came from Salesforce refuses edits and deletes.
    assert _team_record(stack, t, acme, bob)["Gsid"] == bob_record
    stack.client("dynamodb").update_item(
        TableName=stack.info["tables"]["TenantTable"],
        Key=COMPANY_TEAM.shape.record_key(t, f"{acme}#{bob}"),
        UpdateExpression="SET UserSource = :s",
        ExpressionAttributeValues={":s": {"S": "Salesforce"}},
    )
    body = {"records": [{"CompanyId": acme, "UserId": bob, "Region__gc": "US"}]}
    response = _call(stack, key, "PUT", "/v1/teams/records", body)
    assert _ok(response, 409)["errorCode"] == "GS_1409" and "Salesforce sync" in response.json()["errorDesc"]
    response = _call(stack, key, "POST", "/v1/teams/records/delete", {"records": [{"CompanyId": acme, "UserId": bob}]})
    assert response.status_code == 409
    assert _call(stack, key, "DELETE", f"/v1/teams/companies/{acme}/members/{bob}").status_code == 409
    response = _call(stack, key, "POST", "/v1/teams/records/delete", {"records": [{"CompanyId": acme, "UserId": ann}]})
    assert _ok(response)["data"]["count"] == 1


def test_manager_chain_follows_manager_changes(stack: LocalStack, tenant: dict[str, str]) -> None:
    t, key = tenant["tenantId"], tenant["accessKey"]
    (acme,) = _companies(stack, key, "Acme")
    top, boss, ann, other = _users(stack, key, "Top", "Boss", "Ann", "Other")
    updates = {"records": [{"Gsid": boss, "Manager": top}, {"Gsid": ann, "Manager": boss}]}
    _ok(_call(stack, key, "PUT", "/v1/users/services", updates, key="Gsid"))
    data = _ok(_call(stack, key, "POST", f"/v1/teams/companies/{acme}/members", {"records": [{"UserId": ann}]}))["data"]
    record = data["records"][0]
    assert (record["UserManagerRole1"], record["UserManagerRole2"], record["UserManagerRole3"]) == (boss, top, None)

    _ok(_call(stack, key, "PUT", "/v1/users/services", {"records": [{"Gsid": boss, "Manager": other}]}, key="Gsid"))
    stored = _team_record(stack, t, acme, ann)
    assert stored["Gsid"] == record["Gsid"]
    assert (stored["UserManagerRole1"], stored["UserManagerRole2"]) == (boss, other)
    assert "UserManagerRole3" not in stored
    listed = _ok(_call(stack, key, "GET", f"/v1/teams/companies/{acme}/members"))["data"]["members"]
    assert listed[0]["UserManagerRole2"] == other


def test_disabled_company_teams_answer_409(stack: LocalStack, tenant: dict[str, str]) -> None:
    t, key = tenant["tenantId"], tenant["accessKey"]
    (acme,) = _companies(stack, key, "Acme")
    assert stack.csadmin("tenant", "set-teams", "--tenant", t, "--enabled", "false")["companyTeamsEnabled"] is False
    for method, path, body in (
        ("GET", "/v1/teams/roles", None),
        ("GET", f"/v1/teams/companies/{acme}/members", None),
        ("POST", "/v1/teams/search", {"type": "company", "text": "acme"}),
        ("POST", "/v1/teams/records/list", {"select": ["Gsid"]}),
    ):
        response = _call(stack, key, method, path, body)
        assert _ok(response, 409)["errorDesc"] == "Company Teams are disabled"
    stack.csadmin("tenant", "set-teams", "--tenant", t, "--enabled", "true")
    assert _call(stack, key, "GET", "/v1/teams/roles").status_code == 200
