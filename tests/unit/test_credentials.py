"""Tenants, access keys, M2M OAuth clients and Bearer tokens (SPEC §1.1)."""

from __future__ import annotations

import base64
import json
import uuid

import boto3
import pytest

from cscore.auth import service as auth
from cscore.errors import BadRequest, Conflict, NotFound, Unauthorized
from cscore.picklists import system as system_picklists
from cscore.tenants import service as tenants
from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event
from tests.unit.conftest import STACK

FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}


def _basic(client: dict[str, str]) -> dict[str, str]:
    raw = f"{client['clientId']}:{client['clientSecret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def _all_items(table: str) -> list[dict]:
    return boto3.client("dynamodb").scan(TableName=table)["Items"]  # test-only inspection


@pytest.fixture
def tenant(aws_tables) -> dict[str, str]:
    return tenants.create_tenant("Acme", "admin@acme.example")


@pytest.mark.parametrize("header", ["accesskey", "AccessKey", "ACCESSKEY", "Accesskey"])
def test_the_tenant_key_acts_as_the_first_super_admin(tenant, header: str) -> None:
    principal = auth.authenticate({header: tenant["accessKey"]})
    assert principal.tenant_id == tenant["tenantId"]
    assert principal.tenant_name == "Acme"
    assert principal.user_gsid == tenant["superAdminGsid"]
    assert principal.is_super_admin and principal.credential == "ACCESS_KEY"


def test_authentication_is_one_dynamodb_call(tenant, dynamodb_calls) -> None:
    auth.authenticate({"accesskey": tenant["accessKey"]})
    assert dynamodb_calls == ["BatchGetItem"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"accesskey": ""}, {"accesskey": "nope"}, {"accesskey": "a.b.c"}, {"Authorization": "Basic abc"}],
)
def test_missing_or_malformed_credentials_are_401(tenant, headers: dict[str, str]) -> None:
    with pytest.raises(Unauthorized) as error:
        auth.authenticate(headers)
    assert (error.value.status, error.value.code) == (401, "GS_APIG_2401")


def test_a_key_of_the_right_shape_but_unknown_is_401(tenant) -> None:
    forged = tenant["tenantId"] + ".x" + tenant["accessKey"].split(".")[1][1:]
    with pytest.raises(Unauthorized):
        auth.authenticate({"accesskey": forged})


def test_keys_are_stored_only_as_hashes(tenant, aws_tables) -> None:
    client = tenants.create_oauth_client(tenant["tenantId"])
    token = auth.issue_token(auth.authenticate_client(_basic(client), {}))["access_token"]
    dump = str(_all_items(aws_tables["TenantTable"]))
    # A key is <tenantId>.<userGsid>.<secret>: its last piece is the secret.
    for secret in (tenant["accessKey"], tenant["accessKey"].split(".")[-1], client["clientSecret"], token):
        assert secret not in dump


def test_regenerating_the_tenant_key_stops_the_old_one(tenant) -> None:
    new_key = tenants.regenerate_tenant_key(tenant["tenantId"])
    with pytest.raises(Unauthorized):
        auth.authenticate({"accesskey": tenant["accessKey"]})
    assert auth.authenticate({"accesskey": new_key}).user_gsid == tenant["superAdminGsid"]


def test_user_keys_are_listed_and_revoked(tenant) -> None:
    key = tenants.create_user_key(tenant["tenantId"], tenant["superAdminGsid"])
    assert auth.authenticate({"accesskey": key}).user_gsid == tenant["superAdminGsid"]
    listed = auth.list_credentials(tenant["tenantId"])
    user_keys = [k for k in listed if k["kind"] == "ACCESS_KEY" and not k["tenantKey"]]
    assert len(user_keys) == 1 and "secretHash" not in str(listed)
    auth.revoke_access_key(tenant["tenantId"], user_keys[0]["keyId"])
    with pytest.raises(Unauthorized):
        auth.authenticate({"accesskey": key})
    with pytest.raises(NotFound):
        auth.revoke_access_key(tenant["tenantId"], user_keys[0]["keyId"])


def test_the_tenant_key_cannot_be_revoked_only_regenerated(tenant) -> None:
    tenant_key = next(k for k in auth.list_credentials(tenant["tenantId"]) if k.get("tenantKey"))
    with pytest.raises(Conflict):
        auth.revoke_access_key(tenant["tenantId"], tenant_key["keyId"])


def test_a_key_for_an_unknown_user_is_refused(tenant) -> None:
    with pytest.raises(NotFound):
        tenants.create_user_key(tenant["tenantId"], "1P01" + "0" * 32)


def test_a_key_of_one_tenant_never_opens_another(aws_tables) -> None:
    first = tenants.create_tenant("First")
    second = tenants.create_tenant("Second")
    secret = first["accessKey"].split(".", 1)[1]
    with pytest.raises(Unauthorized):
        auth.authenticate({"accesskey": f"{second['tenantId']}.{secret}"})


def test_m2m_client_token_lifecycle(tenant, fake_clock) -> None:
    client = tenants.create_oauth_client(tenant["tenantId"])
    principal = auth.authenticate_client(_basic(client), {})
    token = auth.issue_token(principal)
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    bearer = auth.authenticate({"authorization": f"Bearer {token['access_token']}"})
    assert bearer.credential == "BEARER_TOKEN" and bearer.user_gsid == tenant["superAdminGsid"]

    fake_clock.at += 3599
    auth.authenticate({"Authorization": f"Bearer {token['access_token']}"})
    fake_clock.at += 1  # one hour after issue
    with pytest.raises(Unauthorized):
        auth.authenticate({"Authorization": f"Bearer {token['access_token']}"})


def test_revoking_a_client_kills_its_tokens_at_once(tenant) -> None:
    client = tenants.create_oauth_client(tenant["tenantId"])
    token = auth.issue_token(auth.authenticate_client(_basic(client), {}))["access_token"]
    auth.revoke_oauth_client(tenant["tenantId"], client["clientId"])
    with pytest.raises(Unauthorized):
        auth.authenticate({"Authorization": f"Bearer {token}"})
    with pytest.raises(Unauthorized):
        auth.authenticate_client(_basic(client), {})


def test_client_credentials_in_the_form_body_are_accepted(tenant) -> None:
    client = tenants.create_oauth_client(tenant["tenantId"])
    form = {"client_id": client["clientId"], "client_secret": client["clientSecret"]}
    assert auth.authenticate_client({}, form).credential == "OAUTH_CLIENT"


def test_a_wrong_client_secret_is_401(tenant) -> None:
    client = tenants.create_oauth_client(tenant["tenantId"])
    with pytest.raises(Unauthorized):
        auth.authenticate_client(_basic({**client, "clientSecret": "wrong"}), {})


@pytest.mark.parametrize(
    ("grant", "status"), [("grant_type=password", 400), ("grant_type=client_credentials", 200), ("", 200)]
)
def test_the_token_form_takes_only_the_client_credentials_grant(tenant, grant: str, status: int) -> None:
    client = tenants.create_oauth_client(tenant["tenantId"])
    form = {"Content-Type": "application/x-www-form-urlencoded", **_basic(client)}
    event = api_event("POST", "/v1/users/m2m/oauth/token", headers=form, raw_body=grant)
    function = FUNCTIONS["m2m_token"]
    handler = load_handler(function.code_dir, function.handler, "unit_credentials_m2m_token")
    response = handler(event, LambdaContext(function.name, 512, function.arn, str(uuid.uuid4()), 10_000))
    answer = json.loads(response["body"])
    assert response["statusCode"] == status, answer
    if status == 400:
        assert answer["errorCode"] == "GS_1400" and answer["errorDesc"].startswith("grant_type:"), answer
    else:
        assert answer["token_type"] == "Bearer"


def test_at_most_15_oauth_clients_per_tenant(tenant) -> None:
    made = [tenants.create_oauth_client(tenant["tenantId"]) for _ in range(15)]
    with pytest.raises(Conflict, match="15"):
        tenants.create_oauth_client(tenant["tenantId"])
    auth.revoke_oauth_client(tenant["tenantId"], made[0]["clientId"])
    tenants.create_oauth_client(tenant["tenantId"])  # a slot was freed


def test_bootstrap_is_idempotent_and_keeps_tenant_changes(tenant, aws_tables) -> None:
    tenant_id = tenant["tenantId"]
    client = boto3.client("dynamodb")
    client.update_item(
        TableName=aws_tables["TenantTable"],
        Key={"PK": {"S": f"T#{tenant_id}"}, "SK": {"S": "TENANT"}},
        UpdateExpression="SET companyTeamsEnabled = :f",
        ExpressionAttributeValues={":f": {"BOOL": False}},
    )
    before = len(_all_items(aws_tables["TenantTable"]))
    tenants.bootstrap(tenant_id)
    tenants.bootstrap_all()
    assert len(_all_items(aws_tables["TenantTable"])) == before
    stored = tenants.get_tenant(tenant_id)
    assert stored["companyTeamsEnabled"] is False  # an admin's choice is not reset
    assert stored["companyPermissions"] == {"public": False, "teamBased": True, "rules": []}
    internal = stored["picklists"]["SystemType"]["1I0054U9FAKXZ0H26HOLPCQ81MF6AUC6FF2X"]
    assert internal == {"label": "Internal", "system": True, "order": 0}
    assert (
        stored["picklists"]["TeamRole"][system_picklists.system_item_gsid("TeamRole", "Account Manager")]["label"]
        == "Account Manager"
    )


def test_system_picklist_gsids_are_fixed_and_shaped_like_gsids() -> None:
    assert system_picklists.system_item_gsid("LicenseType", "Viewer") == "1I003CYFM4Q8T50O0EK4EPT0XX6S7SUXS5JJ"
    full = system_picklists.system_item_gsid("LicenseType", "Full")
    assert full == system_picklists.system_item_gsid("LicenseType", "Full")
    assert full.startswith("1I00") and len(full) == 36 and full.isalnum() and full.upper() == full
    all_items = [
        system_picklists.system_item_gsid(c, lbl) for c, labels in system_picklists.PICKLISTS.items() for lbl in labels
    ]
    assert len(set(all_items)) == len(all_items)


def test_limits_are_validated_and_take_effect(tenant) -> None:
    with pytest.raises(BadRequest):
        tenants.set_limit(tenant["tenantId"], "users", "minute", 5)
    limits = tenants.set_limit(tenant["tenantId"], "standard", "minute", 5)
    assert limits["standard"] == {"minute": 5, "day": 50000}
    assert auth.authenticate({"accesskey": tenant["accessKey"]}).limit_overrides == {"standard": {"minute": 5}}


def test_tenant_names_must_not_be_empty(aws_tables) -> None:
    with pytest.raises(BadRequest, match="name"):
        tenants.create_tenant("  ")
