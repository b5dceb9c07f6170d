"""The users API over HTTP with the seed article's samples (SPEC §2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from cscore.platform import keys
from tests import support
from tests.integration.stack import LocalStack

pytestmark = pytest.mark.integration
SEED = json.loads((Path(__file__).parent.parent / "fixtures" / "seed_users.json").read_text())


def _same_shape(actual: Any, sample: Any, path: str = "") -> None:
    """Every key of the sample is present with the same type (extra keys allowed)."""
    if isinstance(sample, dict):
        assert isinstance(actual, dict), path
        for key, value in sample.items():
            assert key in actual, f"{path}.{key} missing"
            if value is not None:
                _same_shape(actual[key], value, f"{path}.{key}")
    elif isinstance(sample, list):
        assert isinstance(actual, list), path
        for item, sample_item in zip(actual, sample, strict=False):
            _same_shape(item, sample_item, f"{path}[]")
    else:
        assert type(actual) is type(sample), f"{path}: {actual!r} vs {sample!r}"


def _add_company(stack: LocalStack, tenant_id: str, name: str) -> str:
    return support.add_company(stack.client("dynamodb"), stack.info["tables"]["TenantTable"], tenant_id, name)


def _post(
    stack: LocalStack, access_key: str, path: str, body: Any, method: str = "POST", **params: str
) -> requests.Response:
    headers = {"accesskey": access_key}
    return requests.request(method, f"{stack.api}{path}", headers=headers, json=body, params=params, timeout=30)


def test_seed_create_sample_verbatim(stack: LocalStack, tenant: dict[str, str]) -> None:
    _add_company(stack, tenant["tenantId"], "XYZ")
    response = _post(stack, tenant["accessKey"], "/v1/users/services", SEED["create_request"], notify="false")
    assert response.status_code == 200, response.text
    body = response.json()
    _same_shape(body, SEED["create_response"])
    assert body["data"]["status"] == "SUCCESS" and [r["CompanyID"] for r in body["data"]["records"]] == [None, None]
    assert response.headers["X-RateLimit-Limit"] == "100"  # the users family: 100 an hour


def test_seed_lookup_failure_sample(stack: LocalStack, tenant: dict[str, str]) -> None:
    body = json.loads(json.dumps(SEED["create_request"]).replace('"Company"', '"Company1"'))
    response = _post(stack, tenant["accessKey"], "/v1/users/services", body)
    assert response.status_code == 400
    _same_shape(response.json(), SEED["create_failure"])
    assert response.json()["errorDesc"] == SEED["create_failure"]["errorDesc"]


def test_seed_status_sample(stack: LocalStack, tenant: dict[str, str]) -> None:
    response = _post(
        stack, tenant["accessKey"], "/v1/users/services/status", SEED["status_request"], "PUT", status="false"
    )
    assert response.status_code == 200
    _same_shape(response.json(), SEED["status_response"])
    assert sorted(response.json()["data"]["invalidUserIds"]) == sorted(SEED["status_request"])


def test_nothing_created_is_400_gu_2401(stack: LocalStack, tenant: dict[str, str]) -> None:
    record = {"Name": "A", "Email": "a@x.io", "SFDCUserName": "dup@x.io"}
    assert _post(stack, tenant["accessKey"], "/v1/users/services", {"records": [record]}).status_code == 200
    again = _post(stack, tenant["accessKey"], "/v1/users/services", {"records": [record]})
    assert again.status_code == 400
    body = again.json()
    assert (body["errorCode"], body["data"]["status"]) == ("GU_2401", "FAILED")


def test_an_external_user_without_a_company_is_rejected(stack: LocalStack, tenant: dict[str, str]) -> None:
    record = {"Name": "E", "Email": "e@x.io", "SFDCUserName": "e@x.io", "SystemType": "External"}
    response = _post(stack, tenant["accessKey"], "/v1/users/services", {"records": [record]})
    assert response.status_code == 400, response.text
    error = response.json()["data"]["errors"][0]
    assert error["errorCode"] == "GS_1400" and error["errorMessage"].startswith("CompanyID: required")
    record["CompanyID"] = _add_company(stack, tenant["tenantId"], "Ext Co")
    assert _post(stack, tenant["accessKey"], "/v1/users/services", {"records": [record]}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [None, "", [], {"records": [{"Name": "A", "Email": "a@x.io", "SFDCUserName": "a@x.io"}] * 51}, {"records": "x"}],
)
def test_bad_bodies_are_400_envelopes(stack: LocalStack, tenant: dict[str, str], body: Any) -> None:
    response = _post(stack, tenant["accessKey"], "/v1/users/services", body)
    assert response.status_code == 400 and response.json()["errorCode"] == "GS_1400"


def test_unicode_and_huge_strings_are_per_record_errors(stack: LocalStack, tenant: dict[str, str]) -> None:
    records = [
        {"Name": "山田 太郎", "Email": "taro@x.io", "SFDCUserName": "taro@x.io", "Title": "営業部長"},
        {"Name": "x" * 100_000, "Email": "big@x.io", "SFDCUserName": "big@x.io"},
    ]
    response = _post(stack, tenant["accessKey"], "/v1/users/services", {"records": records})
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["status"] == "PARTIAL_SUCCESS" and data["records"][0]["Name"] == "山田 太郎"
    assert data["errors"][0]["index"] == 1 and "Name" in data["errors"][0]["errorMessage"]


def test_only_super_admins_may_use_the_users_api(stack: LocalStack, tenant: dict[str, str]) -> None:
    created = _post(
        stack,
        tenant["accessKey"],
        "/v1/users/services",
        {"records": [{"Name": "P", "Email": "p@x.io", "SFDCUserName": "p@x.io"}]},
    )
    user_key = stack.csadmin(
        "key", "create", "--tenant", tenant["tenantId"], "--user", created.json()["data"]["records"][0]["Gsid"]
    )["accessKey"]
    for path, method, body in (
        ("/v1/users/services", "POST", {"records": []}),
        ("/v1/users/services/status", "PUT", []),
    ):
        response = _post(stack, user_key, path, body, method, status="true")
        assert response.status_code == 403 and response.json()["errorCode"] == "GS_1403"


def test_another_tenants_users_are_invisible(stack: LocalStack, tenant: dict[str, str]) -> None:
    other = stack.csadmin("tenant", "create", "--name", "Other")
    response = _post(
        stack, tenant["accessKey"], "/v1/users/services/status", [other["superAdminGsid"]], "PUT", status="false"
    )
    assert response.json()["data"]["invalidUserIds"] == [other["superAdminGsid"]]
    record = {"Name": "M", "Email": "m@x.io", "SFDCUserName": "m@x.io", "Manager": other["superAdminGsid"]}
    failed = _post(stack, tenant["accessKey"], "/v1/users/services", {"records": [record]})
    assert failed.status_code == 400 and "Manager" in failed.json()["data"]["errors"][0]["errorMessage"]


def test_seed_update_sample_verbatim(stack: LocalStack, tenant: dict[str, str]) -> None:
    _add_company(stack, tenant["tenantId"], "XYZ")
    records = [
        {"FirstName": "Test", "LastName": "User", "Email": n, "SFDCUserName": n}
        for n in ("test3@gs.com", "test2@gs.com")
    ]
    assert _post(stack, tenant["accessKey"], "/v1/users/services", {"records": records}).status_code == 200
    response = _post(
        stack, tenant["accessKey"], "/v1/users/services", SEED["update_request"], "PUT", key="SFDCUserName"
    )
    assert response.status_code == 200, response.text
    _same_shape(response.json(), SEED["update_response"])
    assert [r["LicenseType"] for r in response.json()["data"]["records"]] == ["Full", "Full"]


@pytest.mark.parametrize(
    ("key", "body", "code"),
    [
        ("Email", {"records": [{"Email": "a@x.io"}]}, "GU_2409"),
        ("SFDCUserName", {"records": [{"SFDCUserName": "u@x.io"}, {"SFDCUserName": "U@x.io"}]}, "GU_2411"),
        ("SFDCUserName", {"records": [{"SFDCUserName": "nobody@x.io", "Title": "x"}]}, "GU_2402"),
    ],
)
def test_update_error_codes(stack: LocalStack, tenant: dict[str, str], key: str, body: Any, code: str) -> None:
    response = _post(stack, tenant["accessKey"], "/v1/users/services", body, "PUT", key=key)
    assert response.status_code == 400 and response.json()["errorCode"] == code


def test_own_manager_is_gu_2410(stack: LocalStack, tenant: dict[str, str]) -> None:
    body = {"records": [{"Gsid": tenant["superAdminGsid"], "Manager": tenant["superAdminGsid"]}]}
    response = _post(stack, tenant["accessKey"], "/v1/users/services", body, "PUT", key="Gsid")
    assert response.status_code == 400 and response.json()["errorCode"] == "GU_2410"


def test_bundles_and_welcome_mail_arrive_asynchronously(stack: LocalStack, tenant: dict[str, str]) -> None:
    import subprocess
    import sys

    address = f"welcome-{tenant['tenantId'][:8]}@x.io"
    record = {"Name": "New Person", "Email": address, "SFDCUserName": address, "permissionBundles": ["DEFAULT_BUNDLE"]}
    created = _post(stack, tenant["accessKey"], "/v1/users/services", {"records": [record]}, notify="true")
    gsid = created.json()["data"]["records"][0]["Gsid"]
    dynamodb = stack.client("dynamodb")
    table = stack.info["tables"]["TenantTable"]

    def bundles() -> list[Any]:
        item = dynamodb.get_item(TableName=table, Key=keys.user(tenant["tenantId"], gsid), ConsistentRead=True)["Item"]
        return item["permissionBundles"]["L"]

    assert stack.wait_for("bundles assigned by the users worker", bundles) == [{"S": "DEFAULT_BUNDLE"}]

    def mail_to_address() -> list[dict[str, Any]]:
        stack_file = str(stack.state_dir / "stack.json")
        out = subprocess.run(
            [sys.executable, "-m", "cslocal.mail", "--json", "--stack-file", stack_file],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [m for m in json.loads(out) if m["to"] == [address]]

    (mail,) = stack.wait_for("the welcome e-mail", mail_to_address)
    assert mail["subject"] == "Welcome to CS Platform" and "New Person" in mail["body"]


def test_an_idempotency_key_returns_the_first_answer(stack: LocalStack, tenant: dict[str, str]) -> None:
    body = {"records": [{"Name": "Once", "Email": "once@x.io", "SFDCUserName": "once@x.io"}]}
    headers = {"accesskey": tenant["accessKey"], "Idempotency-Key": "create-once-1"}
    url = f"{stack.api}/v1/users/services"
    first = requests.post(url, headers=headers, json=body, timeout=30)
    again = requests.post(url, headers=headers, json=body, timeout=30)
    assert first.status_code == again.status_code == 200
    assert again.json()["data"] == first.json()["data"]  # the same user, not a second one (nor a name clash)
    other_body = requests.post(
        url, headers=headers, json={"records": [{**body["records"][0], "Title": "x"}]}, timeout=30
    )
    assert other_body.status_code == 400 and "Idempotency-Key" in other_body.json()["errorDesc"]
    other = stack.csadmin("tenant", "create", "--name", "Same key elsewhere")
    elsewhere = requests.post(url, headers={**headers, "accesskey": other["accessKey"]}, json=body, timeout=30)
    assert (
        elsewhere.status_code == 200
        and elsewhere.json()["data"]["records"][0]["Gsid"] != first.json()["data"]["records"][0]["Gsid"]
    )
    without = requests.post(url, headers={"accesskey": tenant["accessKey"]}, json=body, timeout=30)
    assert without.status_code == 400 and without.json()["errorCode"] == "GU_2401"  # a real second attempt


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        ({"lookupField": ""}, "GU_2404"),
        ({"objectName": ""}, "GU_2405"),
        ({"fields": {}}, "GU_2406"),
        ({"fields": {"Missing": "Name"}}, "GU_2407"),
        ({"lookupField": "Shoe"}, "GSOBJ_RLS004"),
    ],
)
def test_lookup_error_codes_over_http(
    stack: LocalStack, tenant: dict[str, str], spec: dict[str, Any], code: str
) -> None:
    lookup = {**SEED["create_request"]["lookups"]["CompanyID"], **spec}
    body = {"records": SEED["create_request"]["records"], "lookups": {"CompanyID": lookup}}
    response = _post(stack, tenant["accessKey"], "/v1/users/services", body)
    assert response.status_code == 400 and response.json()["errorCode"] == code


def test_a_lookup_into_a_field_that_is_no_lookup_is_gsobj_rls005(stack: LocalStack, tenant: dict[str, str]) -> None:
    body = {
        "records": SEED["create_request"]["records"],
        "lookups": {"Title": SEED["create_request"]["lookups"]["CompanyID"]},
    }
    response = _post(stack, tenant["accessKey"], "/v1/users/services", body)
    assert response.status_code == 400 and response.json()["errorCode"] == "GSOBJ_RLS005"


def test_the_users_family_is_limited_per_hour(stack: LocalStack, tenant: dict[str, str]) -> None:
    stack.set_limit(tenant["tenantId"], "users", "hour", 1)
    first = _post(
        stack, tenant["accessKey"], "/v1/users/services/status", [tenant["superAdminGsid"]], "PUT", status="true"
    )
    second = _post(
        stack, tenant["accessKey"], "/v1/users/services/status", [tenant["superAdminGsid"]], "PUT", status="true"
    )
    assert first.status_code == 200
    assert second.status_code == 429 and second.json()["errorCode"] == "GU_2400"
    assert int(second.headers["X-RateLimit-Reset"]) % 3600 == 0  # the end of the UTC hour
    standard = requests.get(f"{stack.api}/v1/tenant", headers={"accesskey": tenant["accessKey"]}, timeout=10)
    assert standard.status_code == 200  # the standard family is counted apart


def test_seed_list_sample_verbatim(stack: LocalStack, tenant: dict[str, str]) -> None:
    response = _post(stack, tenant["accessKey"], "/v1/users/services/list", SEED["list_request"])
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["page"], data["size"], data["limit"], data["total"], data["users"]) == (0, 0, 25, 0, [])
    internal = json.loads(json.dumps(SEED["list_request"]).replace("1I0054U9FAKXZ0H26HIODPYB6VXM69JDPA5O", "Internal"))
    rows = _post(stack, tenant["accessKey"], "/v1/users/services/list", internal).json()["data"]["users"]
    assert [r["Gsid"] for r in rows] == [tenant["superAdminGsid"]]
    assert set(rows[0]) >= {"Name", "SFDCUserName", "Email", "IsSuperAdmin", "ModifiedDate", "LicenseType", "Status"}
    assert rows[0]["LicenseType"] == "Full" and rows[0]["Status"] == "Active"


def test_unknown_select_fields_are_gu_1705(stack: LocalStack, tenant: dict[str, str]) -> None:
    response = _post(stack, tenant["accessKey"], "/v1/users/services/list", {"select": ["Name", "Shoe"]})
    assert response.status_code == 400 and response.json()["errorCode"] == "GU_1705"
