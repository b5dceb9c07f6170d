"""SCIM 2.0 over HTTP on the local stack (SPEC §8), as an identity provider is set up: the
base URL and a Bearer credential (an M2M token, or a super admin's access key), then the
provisioning calls, under both base paths."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
SCIM_JSON = "application/scim+json"


def _scim(
    stack: LocalStack, token: str, method: str, path: str, body: Any = None, base: str = "/scim/v2"
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": SCIM_JSON, "Accept": SCIM_JSON}
    return requests.request(method, f"{stack.api}{base}{path}", headers=headers, json=body, timeout=30)


def _token(stack: LocalStack, tenant: dict[str, str]) -> str:
    client = stack.csadmin("oauth-client", "create", "--tenant", tenant["tenantId"])
    answer = requests.post(
        f"{stack.api}/v1/users/m2m/oauth/token",
        auth=(client["clientId"], client["clientSecret"]),
        data={"grant_type": "client_credentials"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def test_an_identity_provider_provisions_over_http(stack: LocalStack, tenant: dict[str, str]) -> None:
    token = _token(stack, tenant)
    for base in ("/scim/v2", "/v1/users/services/scim"):
        config = _scim(stack, token, "GET", "/ServiceProviderConfig", base=base)
        assert config.status_code == 200 and config.headers["Content-Type"] == SCIM_JSON
        assert config.json()["patch"]["supported"] is True
    created = _scim(
        stack,
        tenant["accessKey"],  # a super admin's access key works as a Bearer token too
        "POST",
        "/Users",
        {"schemas": [USER], "userName": "okta@it.io", "name": {"givenName": "O", "familyName": "K"}, "active": True},
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert created.headers["Location"].endswith(f"/scim/v2/Users/{user['id']}")
    assert created.headers["ETag"] == user["meta"]["version"]
    found = _scim(stack, token, "GET", '/Users?filter=userName eq "OKTA@it.io"', base="/v1/users/services/scim").json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == user["id"]
    off = _scim(
        stack,
        token,
        "PATCH",
        f"/Users/{user['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert off.status_code == 200 and off.json()["active"] is False
    listed = requests.post(
        f"{stack.api}/v1/users/services/list",
        headers={"accesskey": tenant["accessKey"]},
        json={
            "select": ["SFDCUserName", "IsActiveUser"],
            "where": {
                "conditions": [{"name": "SFDCUserName", "alias": "A", "operator": "EQ", "value": ["okta@it.io"]}]
            },
        },
        timeout=30,
    ).json()["data"]["users"]
    assert [(u["Gsid"], u["Status"]) for u in listed] == [(user["id"], "Inactive")]
    group = _scim(
        stack,
        token,
        "POST",
        "/Groups",
        {"schemas": [GROUP], "displayName": "Pushed", "members": [{"value": user["id"]}]},
    )
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    renamed = _scim(
        stack,
        token,
        "PATCH",
        f"/Groups/{group_id}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "displayName", "value": "Pushed 2"}]},
    )
    assert renamed.status_code == 200 and [m["value"] for m in renamed.json()["members"]] == [user["id"]]
    assert _scim(stack, token, "GET", f"/Users/{user['id']}").json()["groups"][0]["display"] == "Pushed 2"
    listed_groups = _scim(
        stack, token, "GET", '/Groups?filter=displayName eq "pushed 2"&excludedAttributes=members'
    ).json()
    assert [g["id"] for g in listed_groups["Resources"]] == [group_id]
    assert _scim(stack, token, "DELETE", f"/Groups/{group_id}").status_code == 204
    assert _scim(stack, token, "DELETE", f"/Users/{user['id']}").status_code == 204
    gone = _scim(stack, token, "GET", f"/Users/{user['id']}")
    assert gone.status_code == 404 and gone.headers["Content-Type"] == SCIM_JSON
    assert gone.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    refused = _scim(stack, "not-a-token", "GET", "/Users")
    assert refused.status_code == 401 and refused.json()["status"] == "401"
