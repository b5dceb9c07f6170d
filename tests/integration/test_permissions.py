"""Company data permission settings and the access check over HTTP (SPEC §4.3)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.stack import LocalStack
from tests.integration.test_connector import Api

pytestmark = pytest.mark.integration
SETTINGS = "/v1/permissions/company"


def _user(admin: Api, title: str) -> str:
    email = f"{uuid.uuid4().hex[:8]}@perm.example"
    body = {"records": [{"Email": email, "SFDCUserName": email, "FirstName": "P", "LastName": title, "Title": title}]}
    created = admin.call("POST", "/v1/users/services", params={"notify": "false"}, json=body)
    return str(created["records"][0]["Gsid"] if "records" in created else created[0]["Gsid"])


def test_settings_rules_and_the_access_check(stack: LocalStack, tenant: dict[str, str]) -> None:
    admin = Api(stack, tenant["accessKey"])
    assert admin.call("GET", SETTINGS) == {"public": False, "teamBased": True, "rules": []}
    energy_user = _user(admin, "Energy")
    companies = admin.call(
        "POST",
        "/v1/data/objects/Company",
        json={"records": [{"Name": "Volt", "Industry": "Energy"}, {"Name": "Shop", "Industry": "Retail"}]},
    )["records"]
    volt, shop = companies[0]["Gsid"], companies[1]["Gsid"]
    as_user = Api(
        stack, stack.csadmin("key", "create", "--tenant", tenant["tenantId"], "--user", energy_user)["accessKey"]
    )

    # Default: team-based, and the user is on no team: nothing.
    assert as_user.call("POST", "/v1/data/objects/query/Company", json={"select": ["Name"]})["records"] == []
    denied = as_user.call("GET", f"{SETTINGS}/access", params={"companyId": volt})
    assert denied == {"allowed": False, "reasons": []}

    rule = {
        "name": "Own industry",
        "user": {"conditions": [{"name": "Title", "alias": "A", "operator": "IS_NOT_NULL", "value": []}]},
        "company": {
            "conditions": [{"name": "Industry", "alias": "A", "operator": "EQ", "value": [{"userField": "Title"}]}]
        },
    }
    saved = admin.call("PUT", SETTINGS, json={"public": False, "teamBased": True, "rules": [rule]})
    assert saved["rules"] == [rule]
    names = [
        r["Name"] for r in as_user.call("POST", "/v1/data/objects/query/Company", json={"select": ["Name"]})["records"]
    ]
    assert names == ["Volt"]
    allowed = as_user.call("GET", f"{SETTINGS}/access", params={"companyId": volt})
    assert allowed == {"allowed": True, "reasons": [{"kind": "RULE", "detail": "Own industry"}]}
    checked = admin.call("GET", f"{SETTINGS}/access", params={"userId": energy_user, "companyId": shop})
    assert checked["allowed"] is False

    # A user may ask about itself only; settings are for super admins.
    as_user.call(
        "GET", f"{SETTINGS}/access", 403, "GS_1403", params={"userId": tenant["superAdminGsid"], "companyId": volt}
    )
    as_user.call("GET", SETTINGS, 403, "GS_1403")
    as_user.call("PUT", SETTINGS, 403, "GS_1403", json={"public": True})
    # Writes follow the same permission: the user cannot delete a company it cannot see.
    as_user.call("DELETE", f"/v1/data/objects/Company/{shop}", 404, "GS_1404")

    admin.call("PUT", SETTINGS, json={"public": True})
    public = as_user.call("GET", f"{SETTINGS}/access", params={"companyId": shop})
    assert public["allowed"] is True and public["reasons"][0]["kind"] == "PUBLIC"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"public": "yes"}, "public"),
        ({"everyone": True}, "everyone"),
        ({"rules": [{"name": "x", "user": {"conditions": []}, "company": "all"}]}, "rules[0].company"),
        (
            {"rules": [{"name": "x", "company": {"conditions": []},
                        "user": {"conditions": [{"name": "Nope", "alias": "A", "operator": "EQ", "value": [1]}]}}]},
            "rules[0].user",
        ),
        (
            {"rules": [{"name": "x", "user": {"conditions": []},
                        "company": {"conditions": [{"name": "Industry", "alias": "A", "operator": "EQ",
                                                    "value": [{"userField": "Nope__gc"}]}]}}]},
            "rules[0].company.conditions[0].value",
        ),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_by_field(
    stack: LocalStack, tenant: dict[str, str], body: dict[str, Any], field: str
) -> None:
    admin = Api(stack, tenant["accessKey"])
    refused = admin.call("PUT", SETTINGS, 400, "GS_1400", json=body)
    assert refused["errorDesc"].startswith(field), refused["errorDesc"]
    assert admin.call("GET", SETTINGS)["public"] is False
