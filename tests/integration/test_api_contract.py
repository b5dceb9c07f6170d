"""The foundation's acceptance over real HTTP: envelope, request ids, authentication by
access key and Bearer token, errors of the gateway and of the functions."""

from __future__ import annotations

import base64
import time
import uuid

import boto3
import pytest
import requests

from cscore.auth import credentials
from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration


def _assert_envelope(response: requests.Response, status: int, code: str | None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["result"] is (code is None)
    assert body["errorCode"] == code
    assert str(uuid.UUID(body["requestId"])) == body["requestId"] == response.headers["X-Request-Id"]
    return body


def test_the_stack_comes_up_quickly_and_describes_itself(stack: LocalStack) -> None:
    assert stack.started_in < 30
    for key in ("apiUrl", "awsEndpointUrl", "tenantId", "accessKey", "superAdminGsid"):
        assert stack.info[key]


def test_health_needs_no_key(stack: LocalStack) -> None:
    body = _assert_envelope(requests.get(f"{stack.api}/health", timeout=10), 200, None)
    assert body["data"] == {"status": "UP"}


@pytest.mark.parametrize("header", ["accesskey", "AccessKey", "ACCESSKEY"])
def test_who_am_i_with_the_demo_key(stack: LocalStack, header: str) -> None:
    response = requests.get(f"{stack.api}/v1/tenant", headers={header: stack.info["accessKey"]}, timeout=10)
    data = _assert_envelope(response, 200, None)["data"]
    assert data["tenantId"] == stack.info["tenantId"]
    assert data["userGsid"] == stack.info["superAdminGsid"]
    assert set(data["rateLimits"]) == {"users", "standard", "bulk"}
    assert response.headers["X-RateLimit-Limit"] == "100"


@pytest.mark.parametrize("headers", [{}, {"accesskey": "wrong"}, {"accesskey": f"{uuid.uuid4()}.{'x' * 43}"}])
def test_missing_or_wrong_keys_are_401(stack: LocalStack, headers: dict[str, str]) -> None:
    body = _assert_envelope(requests.get(f"{stack.api}/v1/tenant", headers=headers, timeout=10), 401, "GS_APIG_2401")
    assert body["errorDesc"] == "Unauthorized"


@pytest.mark.parametrize(("method", "path"), [("GET", "/v1/nothing"), ("DELETE", "/v1/tenant"), ("GET", "/")])
def test_unknown_routes_are_404(stack: LocalStack, method: str, path: str) -> None:
    _assert_envelope(requests.request(method, f"{stack.api}{path}", timeout=10), 404, "GS_1404")


@pytest.mark.parametrize("path", ["/v1/tenant", "/v1/users/m2m/oauth/token"])
def test_malformed_json_is_400_on_any_endpoint(stack: LocalStack, tenant: dict[str, str], path: str) -> None:
    client = stack.csadmin("oauth-client", "create", "--tenant", tenant["tenantId"])
    headers = {"accesskey": tenant["accessKey"], "Content-Type": "application/json"}
    method = "GET" if path == "/v1/tenant" else "POST"
    auth = (client["clientId"], client["clientSecret"]) if method == "POST" else None
    response = requests.request(method, f"{stack.api}{path}", headers=headers, data='{"a": ', auth=auth, timeout=10)
    assert "malformed JSON" in _assert_envelope(response, 400, "GS_1400")["errorDesc"]


def test_bodies_over_the_limits_are_413(stack: LocalStack, tenant: dict[str, str]) -> None:
    headers = {"accesskey": tenant["accessKey"], "Content-Type": "text/plain"}
    over_gateway = b"x" * (10 * 1024 * 1024 + 1)
    _assert_envelope(
        requests.post(f"{stack.api}/v1/users/m2m/oauth/token", data=over_gateway, headers=headers, timeout=30),
        413,
        "GS_1413",
    )
    over_lambda = b"x" * (7 * 1024 * 1024)  # under API Gateway's 10 MB, over Lambda's 6 MB
    _assert_envelope(
        requests.post(f"{stack.api}/v1/users/m2m/oauth/token", data=over_lambda, headers=headers, timeout=30),
        413,
        "GS_1413",
    )


def test_m2m_bearer_tokens_work_wherever_keys_do(stack: LocalStack, tenant: dict[str, str]) -> None:
    client = stack.csadmin("oauth-client", "create", "--tenant", tenant["tenantId"])
    response = requests.post(
        f"{stack.api}/v1/users/m2m/oauth/token",
        auth=(client["clientId"], client["clientSecret"]),
        data={"grant_type": "client_credentials"},
        timeout=10,
    )
    body = _assert_envelope(response, 200, None)
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    token = body["access_token"]
    assert body["data"]["access_token"] == token

    for scheme in ("Bearer", "bearer"):
        who = requests.get(f"{stack.api}/v1/tenant", headers={"Authorization": f"{scheme} {token}"}, timeout=10)
        data = _assert_envelope(who, 200, None)["data"]
        assert data["tenantId"] == tenant["tenantId"] and data["credential"] == "BEARER_TOKEN"

    stack.csadmin("oauth-client", "revoke", "--tenant", tenant["tenantId"], "--client-id", client["clientId"])
    revoked = requests.get(f"{stack.api}/v1/tenant", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    _assert_envelope(revoked, 401, "GS_APIG_2401")


def test_an_empty_body_is_a_client_credentials_request(stack: LocalStack, tenant: dict[str, str]) -> None:
    client = stack.csadmin("oauth-client", "create", "--tenant", tenant["tenantId"])
    basic = base64.b64encode(f"{client['clientId']}:{client['clientSecret']}".encode()).decode()
    response = requests.post(
        f"{stack.api}/v1/users/m2m/oauth/token", headers={"Authorization": f"Basic {basic}"}, timeout=10
    )
    assert _assert_envelope(response, 200, None)["access_token"]


@pytest.mark.parametrize(("secret", "status"), [("wrong-secret", 401), (None, 400)])
def test_token_requests_with_bad_secret_or_grant(
    stack: LocalStack, tenant: dict[str, str], secret: str | None, status: int
) -> None:
    client = stack.csadmin("oauth-client", "create", "--tenant", tenant["tenantId"])
    response = requests.post(
        f"{stack.api}/v1/users/m2m/oauth/token",
        auth=(client["clientId"], secret or client["clientSecret"]),
        data={"grant_type": "password"},
        timeout=10,
    )
    body = _assert_envelope(response, status, "GS_APIG_2401" if status == 401 else "GS_1400")
    if status == 400:
        assert "grant_type" in body["errorDesc"]


def test_an_expired_token_is_401(stack: LocalStack, tenant: dict[str, str]) -> None:
    """A token whose hour is over, stored exactly as the token endpoint stores one."""
    client = stack.csadmin("oauth-client", "create", "--tenant", tenant["tenantId"])
    client_gsid = client["clientId"].split(".")[1]
    token = credentials.compose(tenant["tenantId"], client_gsid, credentials.new_secret())
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.info["awsEndpointUrl"], region_name="us-east-1")
    expired_at = int(time.time()) - 1
    dynamodb.put_item(
        TableName=stack.info["tables"]["TenantTable"],
        Item={
            "PK": {"S": f"T#{tenant['tenantId']}#AUTH#{credentials.digest(token)}"},
            "SK": {"S": "AUTH"},
            "kind": {"S": "BEARER_TOKEN"},
            "tenantId": {"S": tenant["tenantId"]},
            "clientId": {"S": client_gsid},
            "expiresAt": {"N": str(expired_at)},
        },
    )
    response = requests.get(f"{stack.api}/v1/tenant", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    _assert_envelope(response, 401, "GS_APIG_2401")


def test_key_regenerate_create_and_revoke(stack: LocalStack, tenant: dict[str, str]) -> None:
    tenant_id = tenant["tenantId"]

    def status_with(key: str) -> int:
        return requests.get(f"{stack.api}/v1/tenant", headers={"accesskey": key}, timeout=10).status_code

    new_key = stack.csadmin("key", "regenerate", "--tenant", tenant_id)["accessKey"]
    assert (status_with(tenant["accessKey"]), status_with(new_key)) == (401, 200)

    user_key = stack.csadmin("key", "create", "--tenant", tenant_id, "--user", tenant["superAdminGsid"])["accessKey"]
    assert status_with(user_key) == 200
    listed = stack.csadmin("key", "list", "--tenant", tenant_id)["keys"]
    key_id = next(k["keyId"] for k in listed if k["kind"] == "ACCESS_KEY" and not k["tenantKey"])
    stack.csadmin("key", "revoke", "--tenant", tenant_id, "--key-id", key_id)
    assert status_with(user_key) == 401
    assert status_with(new_key) == 200


def test_swagger_serves_the_document_and_the_ui_without_a_key(stack: LocalStack) -> None:
    document = requests.get(f"{stack.api}/swagger", params={"format": "json"}, timeout=10)
    assert document.status_code == 200 and document.headers["Content-Type"].startswith("application/json")
    paths = document.json()["paths"]
    for path in ("/v1/tenant", "/v1/users/services", "/v1/users/services/status", "/v1/data/objects/Company"):
        assert path in paths
    assert paths["/health"]["get"]["security"] == []
    page = requests.get(f"{stack.api}/swagger", timeout=10)
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text and "?format=json" in page.text
