"""Users API create and status (SPEC §2.1, §2.2, §2.4) against in-process moto."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.errors import ApiError, BadRequest
from cscore.picklists import system as system_picklists
from cscore.platform import ids, keys
from cscore.platform.dynamo import to_item
from cscore.tenants import service as tenants
from cscore.users import listing, service
from tests import support

SEED = json.loads((Path(__file__).parent.parent / "fixtures" / "seed_users.json").read_text())
VIEWER = "1I003CYFM4Q8T50O0EK4EPT0XX6S7SUXS5JJ"
INTERNAL = "1I0054U9FAKXZ0H26HOLPCQ81MF6AUC6FF2X"


def _principal(tenant: dict[str, str]) -> Principal:
    return auth.authenticate({"accesskey": tenant["accessKey"]})


def add_company(table: str, tenant_id: str, name: str) -> str:
    return support.add_company(boto3.client("dynamodb"), table, tenant_id, name)


@pytest.fixture
def tenant(aws_tables) -> dict[str, str]:
    return tenants.create_tenant("Users")


@pytest.fixture
def admin(tenant) -> Principal:
    return _principal(tenant)


def _failure(call: Any) -> ApiError:
    with pytest.raises(ApiError) as error:
        call()
    return error.value


def test_the_seed_create_sample(admin, aws_tables) -> None:
    add_company(aws_tables["TenantTable"], admin.tenant_id, "XYZ")
    data = service.create_users(admin, SEED["create_request"], "true")
    sample = SEED["create_response"]["data"]
    assert set(data) >= set(sample) and data["status"] == "SUCCESS" and data["successRowCount"] == 2
    for shown, expected in zip(data["records"], sample["records"], strict=True):
        for name, value in expected.items():
            assert name in shown and type(shown[name]) is type(value), name
            if name not in ("Gsid",):
                assert shown[name] == value, name
        assert ids.is_gsid(shown["Gsid"], ids.USER)
    assert data["errors"] == [] and data["success"] is True


def test_internal_users_never_keep_a_company(admin, aws_tables) -> None:
    company = add_company(aws_tables["TenantTable"], admin.tenant_id, "XYZ")
    record = {
        "Name": "Ext",
        "Email": "e@x.io",
        "SFDCUserName": "ext@x.io",
        "SystemType": "External",
        "CompanyName": "XYZ",
    }
    lookups = SEED["create_request"]["lookups"]
    data = service.create_users(admin, {"records": [record], "lookups": lookups})
    assert data["records"][0]["CompanyID"] == company
    internal = {**record, "SFDCUserName": "int@x.io", "SystemType": "Internal"}
    assert service.create_users(admin, {"records": [internal], "lookups": lookups})["records"][0]["CompanyID"] is None


def test_external_users_need_a_company(admin, aws_tables) -> None:
    company = add_company(aws_tables["TenantTable"], admin.tenant_id, "XYZ")
    external = {"Name": "Ext", "Email": "e@x.io", "SFDCUserName": "ext@x.io", "SystemType": "External"}
    error = _failure(lambda: service.create_users(admin, {"records": [external]}))
    assert (error.status, error.code) == (400, "GU_2401")
    assert error.data["errors"][0]["errorCode"] == "GS_1400"
    assert error.data["errors"][0]["errorMessage"].startswith("CompanyID: required for external users")
    created = service.create_users(admin, {"records": [{**external, "CompanyID": company}]})["records"][0]
    internal = service.create_users(
        admin, {"records": [{**external, "SFDCUserName": "i@x.io", "SystemType": "Internal"}]}
    )
    assert internal["records"][0]["CompanyID"] is None

    cleared = {"records": [{"Gsid": created["Gsid"], "CompanyID": None}]}
    error = _failure(lambda: service.update_users(admin, cleared, "Gsid"))
    assert (error.code, error.data["errors"][0]["errorCode"]) == ("GU_2402", "GS_1400")
    assert "CompanyID: required for external users" in error.data["errors"][0]["errorMessage"]
    made_external = {"records": [{"Gsid": internal["records"][0]["Gsid"], "SystemType": "External"}]}
    error = _failure(lambda: service.update_users(admin, made_external, "Gsid"))
    assert "CompanyID: required for external users" in error.data["errors"][0]["errorMessage"]
    with_company = {"records": [{**made_external["records"][0], "CompanyID": company}]}
    assert service.update_users(admin, with_company, "Gsid")["successRowCount"] == 1
    assert service.update_users(admin, {"records": [{"Gsid": created["Gsid"], "Title": "CTO"}]}, "Gsid")["success"]


def test_defaults(admin) -> None:
    data = service.create_users(
        admin, {"records": [{"FirstName": "Ada", "LastName": "L", "Email": "a@x.io", "SFDCUserName": "a@x.io"}]}
    )
    user = data["records"][0]
    assert user["Name"] == "Ada L" and user["SystemType"] == INTERNAL
    assert user["IsActiveUser"] is True and user["IsSuperAdmin"] is False and user["GainsightLicenseEnabled"] is False


def test_a_taken_name_fails_the_record_and_the_request(admin) -> None:
    record = {"Name": "A", "Email": "a@x.io", "SFDCUserName": "Taken@x.io"}
    service.create_users(admin, {"records": [record]})
    error = _failure(lambda: service.create_users(admin, {"records": [{**record, "SFDCUserName": "taken@X.io"}]}))
    assert (error.status, error.code, error.desc) == (400, "GU_2401", "Bulk user create failed")
    assert error.data["status"] == "FAILED" and error.data["successRowCount"] == 0
    assert "already taken" in error.data["errors"][0]["errorMessage"]
    assert error.data["errors"][0]["record"]["SFDCUserName"] == "taken@X.io"


def test_partial_success_reports_each_failed_record(admin) -> None:
    records = [
        {"Name": "Ok", "Email": "ok@x.io", "SFDCUserName": "ok@x.io"},
        {"Name": "Bad", "Email": "not-an-email", "SFDCUserName": "bad@x.io"},
        {"Name": "Dup", "Email": "ok@x.io", "SFDCUserName": "OK@x.io"},
        {"Name": "Boss", "Email": "b@x.io", "SFDCUserName": "b@x.io", "IsSuperAdmin": True},
        {"Name": "Odd", "Email": "o@x.io", "SFDCUserName": "o@x.io", "Shoe": 42},
        "not an object",
        {"Name": "Tz", "Email": "t@x.io", "SFDCUserName": "t@x.io", "Timezone": "Mars/Olympus"},
        {"Name": "Lic", "Email": "l@x.io", "SFDCUserName": "l@x.io", "LicenseType": "Platinum"},
        {"Email": "n@x.io", "SFDCUserName": "n@x.io"},
    ]
    data = service.create_users(admin, {"records": records})
    assert data["status"] == "PARTIAL_SUCCESS" and data["successRowCount"] == 1
    messages = {e["index"]: e["errorMessage"] for e in data["errors"]}
    assert sorted(messages) == [1, 2, 3, 4, 5, 6, 7, 8]
    for index, word in {
        1: "Email",
        2: "SFDCUserName",
        3: "IsSuperAdmin",
        4: "Shoe",
        5: "record",
        6: "Timezone",
        7: "LicenseType",
        8: "Name",
    }.items():
        assert word in messages[index]


@pytest.mark.parametrize("body", [None, [], {}, {"records": []}, {"records": {}}, {"records": [{}] * 51}])
def test_bad_bodies_are_400(admin, body: Any) -> None:
    with pytest.raises(BadRequest):
        service.create_users(admin, body)


def test_notify_must_be_a_boolean(admin) -> None:
    with pytest.raises(BadRequest, match="notify"):
        service.create_users(admin, {"records": [{"Name": "A", "Email": "a@x.io", "SFDCUserName": "a@x.io"}]}, "yes")


def _lookup(**overrides: Any) -> dict[str, Any]:
    spec = {"fields": {"CompanyName": "Name"}, "lookupField": "Gsid", "objectName": "Company"}
    return {"CompanyID": {**spec, **overrides}}


@pytest.mark.parametrize(
    ("lookups", "code", "text"),
    [
        (_lookup(objectName="Company1"), "GU_2403", "Lookup objects [Company1] are not valid"),
        (_lookup(multiMatchOption="SOMETIMES"), "GU_2403", "multiMatchOption"),
        (_lookup(lookupField=""), "GU_2404", "Lookup field cannot be null or empty"),
        (_lookup(objectName=None), "GU_2405", "Lookup object is invalid"),
        (_lookup(fields={}), "GU_2406", "Lookup match criteria is invalid"),
        (_lookup(fields={"Nope": "Name"}), "GU_2407", "Field Nope not present in the user record"),
        (_lookup(lookupField="Colour"), "GSOBJ_RLS004", "Colour"),
        (_lookup(lookupField="Name"), "GU_2403", "lookupField must be Gsid"),
        ({"Title": _lookup()["CompanyID"]}, "GSOBJ_RLS005", "Title"),
    ],
)
def test_lookup_configuration_errors(admin, lookups: dict[str, Any], code: str, text: str) -> None:
    body = {
        "records": [{"Name": "A", "Email": "a@x.io", "SFDCUserName": "a@x.io", "CompanyName": "XYZ"}],
        "lookups": lookups,
    }
    error = _failure(lambda: service.create_users(admin, body))
    assert (error.status, error.code) == (400, code)
    assert text in error.desc


LOOKUP_ERRORS = [
    (_lookup(objectName="Company1"), "GU_2403", "Lookup objects [Company1] are not valid"),
    (_lookup(multiMatchOption="SOMETIMES"), "GU_2403", "multiMatchOption"),
    (_lookup(onNoMatch="SKIP"), "GU_2403", "onNoMatch"),
    (_lookup(onNoMatch="DEFAULTVALUE"), "GU_2403", "DEFAULTVALUE needs a defaultValue"),
    (_lookup(objectName="User"), "GU_2403", "CompanyID looks up Company, not User"),
    (_lookup(lookupField=7), "GU_2403", "lookupField of CompanyID must be a field name"),
    (["CompanyID"], "GU_2403", "lookups must be an object"),
    ({"CompanyID": "Company"}, "GU_2403", "CompanyID must be an object"),
    (_lookup(lookupField=""), "GU_2404", "Lookup field cannot be null or empty"),
    (_lookup(lookupField=None), "GU_2404", "Lookup field cannot be null or empty"),
    (_lookup(objectName=None), "GU_2405", "Lookup object is invalid"),
    (_lookup(objectName=""), "GU_2405", "Lookup object is invalid"),
    (_lookup(fields={}), "GU_2406", "Lookup match criteria is invalid"),
    (_lookup(fields=None), "GU_2406", "Lookup match criteria is invalid"),
    (_lookup(fields={"CompanyName": "Industry"}), "GU_2406", "Company is matched on Gsid, Name, SfdcAccountId"),
    (_lookup(fields={"Nope": "Name"}), "GU_2407", "Field Nope not present in the user record"),
    (_lookup(lookupField="Colour"), "GSOBJ_RLS004", "Lookup field Colour does not exist on Company"),
    ({"Manager": {**_lookup()["CompanyID"], "objectName": "User", "lookupField": "Shoe"}}, "GSOBJ_RLS004", "on User"),
    ({"Title": _lookup()["CompanyID"]}, "GSOBJ_RLS005", "Target field Title does not exist on User"),
    ({"Nope__gc": _lookup()["CompanyID"]}, "GSOBJ_RLS005", "Target field Nope__gc"),
]


@pytest.mark.parametrize(("lookups", "code", "text"), LOOKUP_ERRORS)
def test_lookup_configuration_errors_on_create_and_update(
    admin, aws_tables, lookups: Any, code: str, text: str
) -> None:
    """SPEC §2.2: every whole-request lookup error is reachable, on both paths, and
    nothing is written."""
    record = {"Name": "A", "Email": "a@x.io", "SFDCUserName": "a@x.io", "CompanyName": "XYZ"}
    error = _failure(lambda: service.create_users(admin, {"records": [record], "lookups": lookups}))
    assert (error.status, error.code) == (400, code) and text in error.desc, error.desc
    other = {"Name": "B", "Email": "b@x.io", "SFDCUserName": "b@x.io"}
    existing = service.create_users(admin, {"records": [other]})["records"][0]
    update = {"records": [{"Gsid": existing["Gsid"], "CompanyName": "XYZ", "Title": "Boss"}], "lookups": lookups}
    error = _failure(lambda: service.update_users(admin, update, "Gsid"))
    assert (error.status, error.code) == (400, code) and text in error.desc, error.desc
    listed = listing.list_users(admin, {"select": ["SFDCUserName", "Title"], "limit": 10})["users"]
    ours = sorted((u["SFDCUserName"], u.get("Title")) for u in listed if u["SFDCUserName"] in ("a@x.io", "b@x.io"))
    assert ours == [("b@x.io", None)]


def test_no_match_and_multi_match_behaviours(admin, aws_tables) -> None:
    table = aws_tables["TenantTable"]
    first = add_company(table, admin.tenant_id, "Twin")
    add_company(table, admin.tenant_id, "Twin")
    external = {"Name": "E", "Email": "e@x.io", "SystemType": "External"}

    def company_of(name: str, sfdc: str, **spec: Any) -> Any:
        body = {"records": [{**external, "SFDCUserName": sfdc, "CompanyName": name}], "lookups": _lookup(**spec)}
        try:
            return service.create_users(admin, body)["records"][0]["CompanyID"]
        except ApiError as error:
            return error.data["errors"][0]["errorMessage"]

    assert company_of("twin", "1@x.io") == first  # FIRSTMATCH (default): the oldest, names compared case-insensitively
    assert "2 Company records match" in company_of("Twin", "2@x.io", multiMatchOption="MARKASERROR")
    # NULLABLE (default) writes null, which an external user cannot keep
    assert "CompanyID: required for external users" in company_of("Nobody", "3@x.io")
    assert "no Company matches" in company_of("Nobody", "4@x.io", onNoMatch="ERROR")
    default = ids.new_gsid(ids.COMPANY)
    assert company_of("Nobody", "5@x.io", onNoMatch="DEFAULTVALUE", defaultValue=default) == default


def test_manager_by_email_lookup(admin) -> None:
    boss = service.create_users(
        admin, {"records": [{"Name": "Boss", "Email": "boss@x.io", "SFDCUserName": "boss@x.io"}]}
    )
    lookups = {"Manager": {"fields": {"ManagerEmail": "Email"}, "lookupField": "Gsid", "objectName": "User"}}
    record = {"Name": "Emp", "Email": "e@x.io", "SFDCUserName": "e@x.io", "ManagerEmail": "BOSS@x.io"}
    data = service.create_users(admin, {"records": [record], "lookups": lookups})
    assert data["records"][0]["Manager"] == boss["records"][0]["Gsid"]


def test_references_must_exist_in_the_tenant(admin, aws_tables) -> None:
    other = tenants.create_tenant("Other")
    foreign_company = add_company(aws_tables["TenantTable"], other["tenantId"], "Theirs")
    records = [
        {"Name": "A", "Email": "a@x.io", "SFDCUserName": "a@x.io", "Manager": other["superAdminGsid"]},
        {
            "Name": "B",
            "Email": "b@x.io",
            "SFDCUserName": "b@x.io",
            "SystemType": "External",
            "CompanyID": foreign_company,
        },
        {"Name": "C", "Email": "c@x.io", "SFDCUserName": "c@x.io", "permissionBundles": ["NOPE"]},
        {
            "Name": "D",
            "Email": "d@x.io",
            "SFDCUserName": "d@x.io",
            "Manager": admin.user_gsid,
            "permissionBundles": ["DEFAULT_BUNDLE"],
        },
    ]
    data = service.create_users(admin, {"records": records})
    assert [e["index"] for e in data["errors"]] == [0, 1, 2]
    assert data["records"][0]["Manager"] == admin.user_gsid


def test_create_costs_constant_dynamodb_calls(admin, aws_tables, dynamodb_calls) -> None:
    add_company(aws_tables["TenantTable"], admin.tenant_id, "XYZ")
    lookups = SEED["create_request"]["lookups"]

    def records(n: int, prefix: str) -> list[dict[str, Any]]:
        return [
            {"Name": "U", "Email": "same@x.io", "SFDCUserName": f"{prefix}{i}@x.io", "CompanyName": "XYZ"}
            for i in range(n)
        ]

    dynamodb_calls.clear()
    service.create_users(admin, {"records": records(1, "one"), "lookups": lookups})
    one = list(dynamodb_calls)
    dynamodb_calls.clear()
    assert service.create_users(admin, {"records": records(50, "fifty"), "lookups": lookups})["successRowCount"] == 50
    fifty = list(dynamodb_calls)
    assert one == ["BatchGetItem", "TransactWriteItems"]
    assert fifty == ["BatchGetItem", "TransactWriteItems", "TransactWriteItems"]  # 50 users x 2 items + index + counter


def test_status_sample(admin) -> None:
    created = service.create_users(admin, {"records": [{"Name": "A", "Email": "a@x.io", "SFDCUserName": "a@x.io"}]})
    gsid = created["records"][0]["Gsid"]
    data = service.update_status(admin, [gsid, *SEED["status_request"]], "false")
    assert data == {"status": "COMPLETED", "invalidUserIds": SEED["status_request"]}
    stored = boto3.client("dynamodb").get_item(TableName="unit-TenantTable", Key=keys.user(admin.tenant_id, gsid))[
        "Item"
    ]
    assert stored["IsActiveUser"] == {"BOOL": False}
    assert service.update_status(admin, [gsid], "true") == {"status": "COMPLETED", "invalidUserIds": []}


@pytest.mark.parametrize(
    ("body", "status"), [([], "true"), ({"a": 1}, "true"), (["x"] * 51, "true"), (["x"], "maybe"), (["x"], None)]
)
def test_status_bad_requests(admin, body: Any, status: str | None) -> None:
    with pytest.raises(BadRequest):
        service.update_status(admin, body, status)


def test_status_treats_another_tenants_users_as_unknown(admin) -> None:
    other = tenants.create_tenant("Other")
    assert service.update_status(admin, [other["superAdminGsid"]], "false")["invalidUserIds"] == [
        other["superAdminGsid"]
    ]


def test_picklist_labels_and_gsids_are_both_accepted(admin) -> None:
    full = system_picklists.system_item_gsid("LicenseType", "Full")
    records = [
        {"Name": "A", "Email": "a@x.io", "SFDCUserName": "a@x.io", "LicenseType": "viewer"},
        {"Name": "B", "Email": "b@x.io", "SFDCUserName": "b@x.io", "LicenseType": full},
    ]
    shown = service.create_users(admin, {"records": records})["records"]
    assert [u["LicenseType"] for u in shown] == [VIEWER, full]


def _create(admin: Principal, *records: dict[str, Any]) -> list[dict[str, Any]]:
    return service.create_users(admin, {"records": list(records)})["records"]


def _stored(admin: Principal, gsid: str) -> dict[str, Any]:
    from cscore.platform.dynamo import from_item

    item = boto3.client("dynamodb").get_item(TableName="unit-TenantTable", Key=keys.user(admin.tenant_id, gsid))["Item"]
    return from_item(item)


def test_the_seed_update_sample(admin, aws_tables) -> None:
    company = add_company(aws_tables["TenantTable"], admin.tenant_id, "XYZ")
    for name in ("test3@gs.com", "test2@gs.com"):
        _create(
            admin,
            {
                "FirstName": "Test",
                "LastName": "User",
                "Email": name,
                "SFDCUserName": name,
                "permissionBundles": ["DEFAULT_BUNDLE"],
            },
        )
    data = service.update_users(admin, SEED["update_request"], "SFDCUserName")
    sample = SEED["update_response"]["data"]
    assert data["status"] == "SUCCESS" and data["successRowCount"] == 2
    for shown, expected in zip(data["records"], sample["records"], strict=True):
        for name, value in expected.items():
            assert type(shown[name]) is type(value) or value is None, name
            if name != "Gsid":
                assert shown[name] == value, name  # picklists as labels; internal => CompanyID null
    assert company  # resolved by the lookup, then dropped for internal users


def _run_worker() -> list[dict[str, Any]]:
    """Deliver every queued users-API message to the users worker, as the queue would."""
    import os

    from cscore.users import worker

    sqs = boto3.client("sqs")
    queue = os.environ["USER_EVENTS_QUEUE_URL"]
    messages = []
    while batch := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages"):
        for message in batch:
            messages.append(json.loads(message["Body"]))
            worker.deliver(messages[-1])
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return messages


def test_bundles_are_assigned_after_create_by_the_worker(admin) -> None:
    user = _create(admin, {"Name": "A", "Email": "a@x.io", "SFDCUserName": "a@x.io"})[0]
    assert _stored(admin, user["Gsid"])["permissionBundles"] == []  # the create did not wait for it
    (message,) = _run_worker()
    assert message["tenantId"] == admin.tenant_id and len(message["outboxIds"]) == 1
    assert _stored(admin, user["Gsid"])["permissionBundles"] == ["DEFAULT_BUNDLE"]


def test_notify_sends_one_welcome_email_per_created_user(admin) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses import ses_backends

    records = [{"Name": f"U{i}", "Email": f"u{i}@x.io", "SFDCUserName": f"u{i}@x.io"} for i in range(3)]
    service.create_users(admin, {"records": records}, "true")
    _run_worker()
    sent = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
    assert sorted(m.destinations["ToAddresses"][0] for m in sent) == ["u0@x.io", "u1@x.io", "u2@x.io"]


def test_update_by_each_key_and_bundle_actions(admin, aws_tables) -> None:
    bundle = {**keys.permission_bundle(admin.tenant_id, "SALES"), **to_item({"name": "SALES"})}
    boto3.client("dynamodb").put_item(TableName=aws_tables["TenantTable"], Item=bundle)
    user = _create(
        admin, {"Name": "A", "Email": "a@x.io", "SFDCUserName": "a@x.io", "SfdcUserId": "005000000000001AAA"}
    )[0]
    service.update_users(admin, {"records": [{"Gsid": user["Gsid"], "Title": "CTO"}]}, "Gsid")
    service.update_users(admin, {"records": [{"SfdcUserId": "005000000000001AAA", "Title": "CEO"}]}, "SfdcUserId")
    _run_worker()
    sales = {"records": [{"SFDCUserName": "A@X.IO", "permissionBundles": ["SALES"]}]}
    service.update_users(admin, {**sales, "permissionBundleAction": "APPEND"}, "SFDCUserName")
    _run_worker()
    stored = _stored(admin, user["Gsid"])
    assert stored["Title"] == "CEO" and stored["permissionBundles"] == ["DEFAULT_BUNDLE", "SALES"]
    service.update_users(admin, {**sales, "permissionBundleAction": "overwrite"}, "SFDCUserName")
    _run_worker()
    assert _stored(admin, user["Gsid"])["permissionBundles"] == ["SALES"]
    admin_bundle = sales
    with pytest.raises(BadRequest, match="permissionBundleAction"):
        service.update_users(admin, {**admin_bundle, "permissionBundleAction": "replace"}, "SFDCUserName")


def test_update_moves_the_name_guard_and_the_email_index(admin) -> None:
    user = _create(admin, {"Name": "A", "Email": "old@x.io", "SFDCUserName": "a@x.io"})[0]
    service.update_users(
        admin, {"records": [{"Gsid": user["Gsid"], "SFDCUserName": "b@x.io", "Email": "new@x.io"}]}, "Gsid"
    )
    # the old name is free again, the new one is taken
    assert _create(admin, {"Name": "C", "Email": "c@x.io", "SFDCUserName": "a@x.io"})
    error = _failure(lambda: _create(admin, {"Name": "D", "Email": "d@x.io", "SFDCUserName": "B@x.io"}))
    assert "already taken" in error.data["errors"][0]["errorMessage"]
    # a Manager lookup by Email finds the user under its new address only
    lookups = {
        "Manager": {"fields": {"Boss": "Email"}, "lookupField": "Gsid", "objectName": "User", "onNoMatch": "ERROR"}
    }
    found = service.create_users(
        admin,
        {
            "records": [{"Name": "E", "Email": "e@x.io", "SFDCUserName": "e@x.io", "Boss": "new@x.io"}],
            "lookups": lookups,
        },
    )
    assert found["records"][0]["Manager"] == user["Gsid"]
    error = _failure(
        lambda: service.create_users(
            admin,
            {
                "records": [{"Name": "F", "Email": "f@x.io", "SFDCUserName": "f@x.io", "Boss": "old@x.io"}],
                "lookups": lookups,
            },
        )
    )
    assert "no User matches" in error.data["errors"][0]["errorMessage"]


def test_update_errors(admin) -> None:
    a, b = _create(
        admin,
        {"Name": "A", "Email": "a@x.io", "SFDCUserName": "a@x.io"},
        {"Name": "B", "Email": "b@x.io", "SFDCUserName": "b@x.io"},
    )
    assert _failure(lambda: service.update_users(admin, {"records": [{"Gsid": a["Gsid"]}]}, "Email")).code == "GU_2409"
    assert _failure(lambda: service.update_users(admin, {"records": [{"Gsid": a["Gsid"]}]}, None)).code == "GU_2409"
    twice = {"records": [{"SFDCUserName": "a@x.io"}, {"SFDCUserName": "A@x.io"}]}
    assert _failure(lambda: service.update_users(admin, twice, "SFDCUserName")).code == "GU_2411"
    own = {"records": [{"Gsid": a["Gsid"], "Manager": a["Gsid"]}]}
    assert _failure(lambda: service.update_users(admin, own, "Gsid")).code == "GU_2410"
    records = [
        {"Gsid": a["Gsid"], "IsSuperAdmin": True},
        {"Gsid": b["Gsid"], "SFDCUserName": "a@x.io"},
        {"Gsid": ids.new_gsid(ids.USER), "Title": "ghost"},
        {"Title": "no key"},
        {"Gsid": b["Gsid"] + "X"},
    ]
    error = _failure(lambda: service.update_users(admin, {"records": records}, "Gsid"))
    assert (error.code, error.data["status"]) == ("GU_2402", "FAILED")
    assert [e["index"] for e in error.data["errors"]] == [0, 1, 2, 3, 4]


def test_update_shows_labels_and_keeps_unchanged_fields(admin) -> None:
    user = _create(
        admin,
        {
            "FirstName": "A",
            "LastName": "B",
            "Email": "a@x.io",
            "SFDCUserName": "a@x.io",
            "LicenseType": "Viewer",
            "Title": "T",
        },
    )[0]
    data = service.update_users(
        admin, {"records": [{"SFDCUserName": "a@x.io", "SystemType": "Partner"}]}, "SFDCUserName"
    )
    shown = data["records"][0]
    assert shown["LicenseType"] == "Viewer" and shown["SystemType"] == "Partner" and shown["Name"] == "A B"
    assert _stored(admin, user["Gsid"])["Title"] == "T"


def test_update_costs_constant_dynamodb_calls(admin, dynamodb_calls) -> None:
    users = service.create_users(
        admin, {"records": [{"Name": "U", "Email": f"u{i}@x.io", "SFDCUserName": f"u{i}@x.io"} for i in range(50)]}
    )["records"]
    for size in (1, 50):
        dynamodb_calls.clear()
        body = {
            "records": [
                {"SFDCUserName": u["SFDCUserName"], "Email": f"moved{size}{i}@x.io"} for i, u in enumerate(users[:size])
            ]
        }
        assert service.update_users(admin, body, "SFDCUserName")["successRowCount"] == size
        assert dynamodb_calls[:3] == ["BatchGetItem", "BatchGetItem", "BatchGetItem"]
        assert len(dynamodb_calls) <= 5, dynamodb_calls


def test_update_treats_another_tenants_users_as_unknown(admin) -> None:
    other = tenants.create_tenant("Other")
    body = {"records": [{"Gsid": other["superAdminGsid"], "Title": "x"}]}
    error = _failure(lambda: service.update_users(admin, body, "Gsid"))
    assert error.code == "GU_2402" and "no user" in error.data["errors"][0]["errorMessage"]
    by_name = {"records": [{"SFDCUserName": "admin@" + other["tenantId"][:8] + ".cs-platform.local", "Title": "x"}]}
    assert _failure(lambda: service.update_users(admin, by_name, "SFDCUserName")).code == "GU_2402"
