"""A credential is only as good as its user (issue 13): the holder is read with the
credential, in the same single call; older keys that do not name it still work."""

from __future__ import annotations

import base64

import boto3
import pytest

from cscore.auth import credentials
from cscore.auth import service as auth
from cscore.errors import Unauthorized
from cscore.platform import keys
from cscore.tenants import service as tenants


@pytest.fixture
def tenant(aws_tables) -> dict[str, str]:
    return tenants.create_tenant("Acme", "admin@acme.example")


def _set_active(table: str, tenant: dict[str, str], active: bool) -> None:
    boto3.client("dynamodb").update_item(
        TableName=table,
        Key=keys.user(tenant["tenantId"], tenant["superAdminGsid"]),
        UpdateExpression="SET IsActiveUser = :a",
        ExpressionAttributeValues={":a": {"BOOL": active}},
    )


def _token(tenant: dict[str, str]) -> str:
    client = tenants.create_oauth_client(tenant["tenantId"])
    basic = base64.b64encode(f"{client['clientId']}:{client['clientSecret']}".encode()).decode()
    principal = auth.authenticate_client({"Authorization": f"Basic {basic}"}, {})
    return str(auth.issue_token(principal)["access_token"])


def test_keys_and_tokens_name_their_holder(tenant) -> None:
    tenant_id, holder = tenant["tenantId"], tenant["superAdminGsid"]
    assert tenant["accessKey"].split(".")[:2] == [tenant_id, holder]
    assert _token(tenant).split(".")[2] == holder


def test_a_bearer_token_is_checked_in_one_dynamodb_call(tenant, dynamodb_calls) -> None:
    token = _token(tenant)
    dynamodb_calls.clear()
    assert auth.authenticate({"Authorization": f"Bearer {token}"}).user_gsid == tenant["superAdminGsid"]
    assert dynamodb_calls == ["BatchGetItem"]


def test_an_inactive_holder_is_401_and_active_again_works(tenant, aws_tables) -> None:
    token = _token(tenant)
    _set_active(aws_tables["TenantTable"], tenant, False)
    for headers in ({"accesskey": tenant["accessKey"]}, {"Authorization": f"Bearer {token}"}):
        with pytest.raises(Unauthorized):
            auth.authenticate(headers)
    _set_active(aws_tables["TenantTable"], tenant, True)
    assert auth.authenticate({"accesskey": tenant["accessKey"]}).is_super_admin
    assert auth.authenticate({"Authorization": f"Bearer {token}"}).credential == "BEARER_TOKEN"


def test_a_key_that_names_another_holder_is_401(tenant) -> None:
    _, _, secret = tenant["accessKey"].split(".")
    other = tenants.create_user_key(tenant["tenantId"], tenant["superAdminGsid"]).split(".")[1]
    for forged in (f"{tenant['tenantId']}.{'1P01' + 'X' * 32}.{secret}", f"{tenant['tenantId']}.{other}x.{secret}"):
        with pytest.raises(Unauthorized):
            auth.authenticate({"accesskey": forged})


def test_a_key_issued_before_keys_named_their_holder_still_works(tenant, aws_tables, dynamodb_calls) -> None:
    """``<tenantId>.<secret>``: its holder is read in a second call, and checked the same.
    That call is a batch read, the one read every API function's policy allows."""
    tenant_id = tenant["tenantId"]
    plain = credentials.compose(tenant_id, credentials.new_secret())
    _, item = auth.access_key_record(tenant_id, tenant["superAdminGsid"], True, tenant_key=False)
    item |= keys.credential(tenant_id, credentials.digest(plain))
    boto3.client("dynamodb").put_item(TableName=aws_tables["TenantTable"], Item=item)
    dynamodb_calls.clear()
    assert auth.authenticate({"accesskey": plain}).user_gsid == tenant["superAdminGsid"]
    assert dynamodb_calls == ["BatchGetItem", "BatchGetItem"]
    _set_active(aws_tables["TenantTable"], tenant, False)
    with pytest.raises(Unauthorized):
        auth.authenticate({"accesskey": plain})


def test_a_deleted_tenants_credentials_are_401(tenant, aws_tables) -> None:
    token = _token(tenant)
    boto3.client("dynamodb").delete_item(TableName=aws_tables["TenantTable"], Key=keys.tenant(tenant["tenantId"]))
    for headers in ({"accesskey": tenant["accessKey"]}, {"Authorization": f"Bearer {token}"}):
        with pytest.raises(Unauthorized):
            auth.authenticate(headers)
