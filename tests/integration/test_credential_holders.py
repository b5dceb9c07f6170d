"""A credential is only as good as its user (issue 13): the keys, OAuth clients and
Bearer tokens of a deactivated user are refused at once, and work again once the user is
reactivated, whichever path (de)activates the user."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
TOKEN_PATH = "/v1/users/m2m/oauth/token"


def _admin(stack: LocalStack, tenant: dict[str, str], method: str, path: str, body: Any, **params: str) -> Any:
    response = requests.request(
        method, f"{stack.api}{path}", headers={"accesskey": tenant["accessKey"]}, json=body, params=params, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]


def _holder(stack: LocalStack, tenant: dict[str, str], name: str) -> dict[str, str]:
    """A user with an access key, an OAuth client and a Bearer token of that client."""
    record = {"Name": name, "Email": f"{name}@x.io", "SFDCUserName": f"{name}@x.io"}
    created = _admin(stack, tenant, "POST", "/v1/users/services", {"records": [record]}, notify="false")
    gsid = created["records"][0]["Gsid"]
    key = stack.csadmin("key", "create", "--tenant", tenant["tenantId"], "--user", gsid)["accessKey"]
    client = stack.csadmin("oauth-client", "create", "--tenant", tenant["tenantId"], "--user", gsid)
    token = requests.post(f"{stack.api}{TOKEN_PATH}", auth=(client["clientId"], client["clientSecret"]), timeout=10)
    assert token.status_code == 200, token.text
    return {"gsid": gsid, "key": key, "token": token.json()["access_token"], **client}


def _statuses(stack: LocalStack, holder: dict[str, str]) -> tuple[int, int, int]:
    """What GET /v1/tenant answers to the key and to the token, and the token endpoint to the client."""
    by_key = requests.get(f"{stack.api}/v1/tenant", headers={"accesskey": holder["key"]}, timeout=10)
    by_token = requests.get(
        f"{stack.api}/v1/tenant", headers={"Authorization": f"Bearer {holder['token']}"}, timeout=10
    )
    new_token = requests.post(f"{stack.api}{TOKEN_PATH}", auth=(holder["clientId"], holder["clientSecret"]), timeout=10)
    for refused in (r for r in (by_key, by_token, new_token) if r.status_code == 401):
        assert refused.json()["errorCode"] == "GS_APIG_2401"
    return by_key.status_code, by_token.status_code, new_token.status_code


def test_a_deactivated_users_credentials_are_refused_until_reactivated(
    stack: LocalStack, tenant: dict[str, str]
) -> None:
    holder = _holder(stack, tenant, "ann")
    assert _statuses(stack, holder) == (200, 200, 200)

    _admin(stack, tenant, "PUT", "/v1/users/services/status", [holder["gsid"]], status="false")
    assert _statuses(stack, holder) == (401, 401, 401)

    _admin(stack, tenant, "PUT", "/v1/users/services/status", [holder["gsid"]], status="true")
    assert _statuses(stack, holder) == (200, 200, 200)


def test_deactivating_through_a_users_update_refuses_the_credentials_too(
    stack: LocalStack, tenant: dict[str, str]
) -> None:
    holder = _holder(stack, tenant, "bob")
    deactivate = {"records": [{"Gsid": holder["gsid"], "IsActiveUser": False}]}
    _admin(stack, tenant, "PUT", "/v1/users/services", deactivate, key="Gsid")
    assert _statuses(stack, holder) == (401, 401, 401)

    reactivate = {"records": [{"Gsid": holder["gsid"], "IsActiveUser": True}]}
    _admin(stack, tenant, "PUT", "/v1/users/services", reactivate, key="Gsid")
    assert _statuses(stack, holder) == (200, 200, 200)


def test_a_deleted_tenants_credentials_are_refused(stack: LocalStack, tenant: dict[str, str]) -> None:
    """No command deletes a tenant; if its item is gone (deleted by hand), nothing of it authenticates."""
    holder = _holder(stack, tenant, "cid")
    stack.client("dynamodb").delete_item(
        TableName=stack.info["tables"]["TenantTable"],
        Key={"PK": {"S": f"T#{tenant['tenantId']}"}, "SK": {"S": "TENANT"}},
    )
    assert _statuses(stack, holder) == (401, 401, 401)
    tenant_key = requests.get(f"{stack.api}/v1/tenant", headers={"accesskey": tenant["accessKey"]}, timeout=10)
    assert tenant_key.status_code == 401
