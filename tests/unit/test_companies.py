"""Company data API writes (SPEC §4b): insert, update by keys, delete — through the real
handlers where the HTTP contract matters, through the service where the data does."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from cscore.auth.principal import Principal
from cscore.companies import repository as repo
from cscore.companies import schema, service
from cscore.errors import BadRequest, NotFound
from cscore.platform import aws, config, ids, keys, table
from cscore.platform.dynamo import to_item
from cscore.query import to_epoch_millis
from cscore.tenants import service as tenants
from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event
from tests.unit.conftest import ROOT, STACK

DATES = ("OriginalContractDate", "RenewalDate", "CreatedDate", "ModifiedDate")

FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}
HANDLERS = {
    name: load_handler(FUNCTIONS[name].code_dir, FUNCTIONS[name].handler, f"unit_{name}")
    for name in ("companies_insert", "companies_update", "companies_delete")
}
PATH = "/v1/data/objects/Company"


def _call(
    name: str,
    method: str,
    path: str,
    access_key: str,
    body: Any = None,
    query: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    resource = path if params is None else f"{PATH}/{{gsid}}"
    event = api_event(method, path, access_key, body, params, resource, query=query)
    function = FUNCTIONS[name]
    context = LambdaContext(function.name, 512, function.arn, str(uuid.uuid4()), 10_000)
    response = HANDLERS[name](event, context)
    return response["statusCode"], json.loads(response["body"])


def insert(access_key: str, records: list[Any]) -> tuple[int, dict[str, Any]]:
    return _call("companies_insert", "POST", PATH, access_key, {"records": records})


def update(access_key: str, keys_param: str | None, records: list[Any]) -> tuple[int, dict[str, Any]]:
    query = None if keys_param is None else {"keys": keys_param}
    return _call("companies_update", "PUT", PATH, access_key, {"records": records}, query)


def delete(access_key: str, gsid: str) -> tuple[int, dict[str, Any]]:
    return _call("companies_delete", "DELETE", f"{PATH}/{gsid}", access_key, params={"gsid": gsid})


@pytest.fixture
def tenant(aws_tables, fake_clock) -> dict[str, str]:
    return tenants.create_tenant("Companies")


@pytest.fixture
def principal(tenant) -> Principal:
    return Principal(tenant["tenantId"], "Companies", tenant["superAdminGsid"], True, "ACCESS_KEY", "test")


def stored(tenant_id: str, gsid: str) -> dict[str, Any] | None:
    return table.read_one(keys.record(tenant_id, "Company", gsid))


def index(tenant_id: str, field: str, value: str) -> list[str] | None:
    item = table.read_one(keys.lookup_index(tenant_id, "Company", field, value))
    return None if item is None else item["gsids"]


def total(tenant_id: str) -> int:
    item = table.read_one(keys.counter(tenant_id, "Company"))
    return int(item["total"]) if item else 0


def gsids_of(data: dict[str, Any]) -> list[str]:
    return [r["Gsid"] for r in data["records"]]


# ---------------------------------------------------------------- insert


def test_insert_stores_the_record_its_index_items_and_the_counter(tenant) -> None:
    status, body = insert(
        tenant["accessKey"],
        [
            {
                "Name": "  Acme Corp ",
                "SfdcAccountId": "0015g00000XyZabAAB",
                "Industry": "Manufacturing",
                "ARR": 120000,
                "MRR": "10000.5",
                "Employees": 250,
                "LifecycleInWeeks": 12,
                "OriginalContractDate": "2025-01-31",
                "RenewalDate": "2027-06-30T22:30:00-05:00",
                "Website": "https://acme.example",
                "Csm": tenant["superAdminGsid"],
            }
        ],
    )
    assert status == 200, body
    assert body["result"] is True and body["data"]["count"] == 1 and body["data"]["errors"] is None
    (record,) = body["data"]["records"]
    gsid = record["Gsid"]
    assert ids.is_gsid(gsid, ids.COMPANY)
    assert record == {
        "Gsid": gsid,
        "Name": "Acme Corp",
        "SfdcAccountId": "0015g00000XyZabAAB",
        "Industry": "Manufacturing",
        "ARR": 120000,
        "MRR": 10000.5,
        "Employees": 250,
        "LifecycleInWeeks": 12,
        # Dates as epoch milliseconds, as queries answer them (SPEC §7).
        "OriginalContractDate": to_epoch_millis("2025-01-31"),
        "RenewalDate": to_epoch_millis("2027-07-01"),  # the UTC date of that instant
        "Website": "https://acme.example",
        "Csm": tenant["superAdminGsid"],
        "CreatedDate": to_epoch_millis("2027-01-15T08:00:00.000Z"),
        "ModifiedDate": to_epoch_millis("2027-01-15T08:00:00.000Z"),
        "CreatedBy": tenant["superAdminGsid"],
        "ModifiedBy": tenant["superAdminGsid"],
    }
    item = stored(tenant["tenantId"], gsid)
    assert item is not None
    t = tenant["tenantId"]
    assert item["PK"] == f"T#{t}#Company#{gsid}" and item["SK"] == "RECORD"
    assert item["GSI1PK"] == item["GSI2PK"] == f"T#{t}#Company"
    assert item["GSI1SK"] == f"2027-01-15T08:00:00.000Z\x01{gsid}"
    assert item["GSI2SK"] == f"acme corp\x01{gsid}"
    # stored as ISO text (what the indexes order by), answered as epoch milliseconds
    shown = {k: to_epoch_millis(v) if k in DATES else v for k, v in item.items() if k not in keys.STORAGE_ATTRIBUTES}
    assert shown == record
    assert index(t, "Name", "ACME CORP") == [gsid]
    assert index(t, "SfdcAccountId", "0015g00000XyZabAAB") == [gsid]
    assert total(t) == 1


def test_one_bad_record_fails_alone(tenant) -> None:
    status, body = insert(tenant["accessKey"], [{"Name": "Good"}, {"Name": "Bad", "Colour": "red"}])
    assert status == 200
    data = body["data"]
    assert data["count"] == 1 and [r["Name"] for r in data["records"]] == ["Good"]
    assert data["errors"] == [
        {
            "index": 1,
            "record": {"Name": "Bad", "Colour": "red"},
            "errorCode": "GSOBJ_1002",
            "errorMessage": "Colour: unknown field of Company",
        }
    ]
    assert index(tenant["tenantId"], "Name", "Bad") is None
    assert total(tenant["tenantId"]) == 1


def test_insert_with_no_valid_record_is_400_with_the_first_error(tenant) -> None:
    status, body = insert(tenant["accessKey"], [{"Industry": "Retail"}, {"Name": "x" * 256}])
    assert status == 400
    assert body["result"] is False and body["errorCode"] == "GSOBJ_1007"
    assert body["errorDesc"] == "Name: required field is missing"
    assert body["data"]["count"] == 0 and body["data"]["records"] == []
    assert [(e["index"], e["errorCode"]) for e in body["data"]["errors"]] == [(0, "GSOBJ_1007"), (1, "GSOBJ_1001")]
    assert "256 characters" in body["data"]["errors"][1]["errorMessage"]
    assert total(tenant["tenantId"]) == 0


@pytest.mark.parametrize(
    ("record", "code", "words"),
    [
        ({"Name": "x" * 256}, "GSOBJ_1001", "Name: value is 256 characters long"),
        ({"Name": None}, "GSOBJ_1007", "Name: required"),
        ({"Name": "   "}, "GSOBJ_1007", "Name: required"),
        ({"Name": "A", "name": "B"}, "GSOBJ_1002", "Name, name: name the same field"),
        ({"Name": "A", "Gsid": "1P02" + "0" * 32}, "GSOBJ_1002", "Gsid: system field"),
        ({"Name": "A", "CreatedDate": "2020-01-01"}, "GSOBJ_1002", "CreatedDate: system field"),
        ({"Name": "A", "ARR": "lots"}, "GSOBJ_1002", "ARR: 'lots' is not a number"),
        ({"Name": "A", "Employees": True}, "GSOBJ_1002", "Employees: must be a number"),
        ({"Name": "A", "Industry": 7}, "GSOBJ_1002", "Industry: must be a string"),
        ({"Name": "A", "RenewalDate": "30/06/2027"}, "GSOBJ_1005", "RenewalDate: '30/06/2027' is not a date"),
        ({"Name": "A", "RenewalDate": "2027-02-30"}, "GSOBJ_1005", "RenewalDate"),
        ({"Name": "A", "ParentCompany": "not-a-gsid"}, "GSOBJ_1004", "ParentCompany: 'not-a-gsid'"),
        ({"Name": "A", "ParentCompany": "1P02" + "0" * 32}, "GSOBJ_1004", "no company with GSID"),
        ({"Name": "A", "Csm": "1P01" + "0" * 32}, "GSOBJ_1004", "Csm: no user with GSID"),
        ({"Name": "A", "ParentCompanyName": "Nobody"}, "GSOBJ_1004", "ParentCompanyName: no company named 'Nobody'"),
        ({"Name": "A", "CsmEmail": "who@x.io"}, "GSOBJ_1004", "CsmEmail: no user with e-mail 'who@x.io'"),
        ({"Name": "A", "CSMFirstName": "Pat"}, "GSOBJ_1002", "give both"),
        ({"Name": "A", "Csm": "1P01" + "0" * 32, "CsmEmail": "a@b.c"}, "GSOBJ_1002", "give one of them"),
    ],
)
def test_invalid_values_fail_the_record_with_gainsight_codes(principal, record, code, words) -> None:
    with pytest.raises(BadRequest) as raised:
        service.insert_companies(principal, [record])
    (error,) = raised.value.data["errors"]
    assert raised.value.code == error["errorCode"] == code
    assert words in error["errorMessage"]
    assert error["record"] == record


@pytest.mark.parametrize(
    ("value", "stored_as"),
    [
        (1_800_000_000_000, "2027-01-15"),
        ("1800000000000", "2027-01-15"),
        ("2027-06-30", "2027-06-30"),
        ("20270630", "2027-06-30"),
        ("2027-06-30T23:59:59Z", "2027-06-30"),
        ("2027-06-30T23:59:59.123+00:00", "2027-06-30"),
        ("2027-06-30 10:00:00", "2027-06-30"),
    ],
)
def test_dates_accept_epoch_ms_iso_and_plain_dates(principal, value, stored_as) -> None:
    data = service.insert_companies(principal, [{"Name": "Dated", "RenewalDate": value}])
    (record,) = data["records"]
    assert (stored(principal.tenant_id, record["Gsid"]) or {})["RenewalDate"] == stored_as
    assert record["RenewalDate"] == to_epoch_millis(stored_as, date_only=True)  # answered as queries answer


def test_references_resolve_by_gsid_name_and_email(tenant, principal) -> None:
    t = tenant["tenantId"]
    parent = service.insert_companies(principal, [{"Name": "Parent"}])["records"][0]["Gsid"]
    twin = service.insert_companies(principal, [{"Name": "parent "}])["records"][0]["Gsid"]
    assert index(t, "Name", "Parent") == [parent, twin]
    admin = table.read_one(keys.user(t, tenant["superAdminGsid"])) or {}
    data = service.insert_companies(
        principal,
        [
            {"Name": "Child A", "ParentCompany": parent, "Csm": tenant["superAdminGsid"]},
            {"Name": "Child B", "ParentCompanyName": "PARENT", "CsmEmail": admin["Email"].upper()},
        ],
    )
    assert data["errors"] is None
    for record in data["records"]:
        assert record["ParentCompany"] == parent  # two companies have that name: the oldest
        assert record["Csm"] == tenant["superAdminGsid"]
        assert "ParentCompanyName" not in record and "CsmEmail" not in record
        assert "ParentCompanyName" not in (stored(t, record["Gsid"]) or {})


def test_fifty_records_of_one_name_share_one_index_item(tenant, principal) -> None:
    data = service.insert_companies(principal, [{"Name": "Same", "SfdcAccountId": "001X"} for _ in range(50)])
    assert data["count"] == 50 and data["errors"] is None
    assert index(tenant["tenantId"], "Name", "same") == gsids_of(data)  # oldest first
    assert index(tenant["tenantId"], "SfdcAccountId", "001X") == gsids_of(data)
    assert total(tenant["tenantId"]) == 50


def test_record_counts_outside_1_to_50_are_400(tenant) -> None:
    status, body = insert(tenant["accessKey"], [{"Name": f"C{i}"} for i in range(51)])
    assert status == 400 and body["errorCode"] == "GS_1400"
    assert "records" in body["errorDesc"] and "at most 50" in body["errorDesc"]
    status, body = insert(tenant["accessKey"], [])
    assert status == 400 and body["errorCode"] == "GS_1400" and "at least 1" in body["errorDesc"]
    status, body = _call("companies_insert", "POST", PATH, tenant["accessKey"], {"records": [{"Name": "A"}], "x": 1})
    assert status == 400 and body["errorDesc"].startswith("x: unknown field")
    status, body = insert(tenant["accessKey"], ["not an object"])
    assert status == 400 and body["errorDesc"] == "record: must be a JSON object"
    assert [e["index"] for e in body["data"]["errors"]] == [0]  # reported per record, like the users API
    assert total(tenant["tenantId"]) == 0
    with pytest.raises(BadRequest, match="at most 50 records per request, got 51"):
        service.insert_companies(
            Principal(tenant["tenantId"], "", tenant["superAdminGsid"], True, "", ""), [{"Name": "A"}] * 51
        )


def test_any_user_writes_the_companies_its_permissions_allow(tenant) -> None:
    """Company data permissions (SPEC §4.3) decide writes: a user on no team, with
    team-based access and no rule, may not create a company; with public access it may."""
    gsid = ids.new_gsid(ids.USER)
    user = {"Gsid": gsid, "Name": "Pat", "Email": "pat@x.io", "IsSuperAdmin": False}
    aws.dynamodb().put_item(
        TableName=config.tenant_table(), Item={**keys.user(tenant["tenantId"], gsid), **to_item(user)}
    )
    access_key = tenants.create_user_key(tenant["tenantId"], gsid)
    status, body = insert(access_key, [{"Name": "Pat's company"}])
    assert status == 403 and body["errorCode"] == "GS_1403", body
    aws.dynamodb().update_item(
        TableName=config.tenant_table(),
        Key=keys.tenant(tenant["tenantId"]),
        UpdateExpression="SET companyPermissions.#p = :t",
        ExpressionAttributeNames={"#p": "public"},
        ExpressionAttributeValues={":t": {"BOOL": True}},
    )
    status, body = insert(access_key, [{"Name": "Pat's company"}])
    assert status == 200, body
    assert body["data"]["records"][0]["CreatedBy"] == body["data"]["records"][0]["ModifiedBy"] == gsid


# ---------------------------------------------------------------- update


def test_update_by_name_changes_fields_and_moves_index_entries(tenant, principal, fake_clock) -> None:
    t = tenant["tenantId"]
    gsid = service.insert_companies(principal, [{"Name": "Acme", "SfdcAccountId": "001A", "Stage": "New"}])["records"][
        0
    ]["Gsid"]
    fake_clock.at += 90
    status, body = update(
        tenant["accessKey"], "Name", [{"Name": " ACME", "SfdcAccountId": "001B", "Stage": None, "ARR": 5}]
    )
    assert status == 200, body
    (record,) = body["data"]["records"]
    assert record["Gsid"] == gsid and record["Name"] == "Acme"  # a key is a criterion, not a change
    assert record["SfdcAccountId"] == "001B" and record["ARR"] == 5 and "Stage" not in record
    assert record["ModifiedDate"] == to_epoch_millis("2027-01-15T08:01:30.000Z")
    assert record["CreatedDate"] == to_epoch_millis("2027-01-15T08:00:00.000Z")
    item = stored(t, gsid)
    assert item is not None and "Stage" not in item and item["ModifiedDate"] == "2027-01-15T08:01:30.000Z"
    assert item["GSI1SK"] == f"2027-01-15T08:01:30.000Z\x01{gsid}"
    assert index(t, "SfdcAccountId", "001A") is None  # emptied: removed
    assert index(t, "SfdcAccountId", "001B") == [gsid]
    assert index(t, "Name", "acme") == [gsid]
    assert total(t) == 1


def test_update_by_gsid_renames(tenant, principal) -> None:
    t = tenant["tenantId"]
    a, b = gsids_of(service.insert_companies(principal, [{"Name": "Old"}, {"Name": "Old"}]))
    status, body = update(tenant["accessKey"], "Gsid", [{"Gsid": b, "Name": "Brand New"}])
    assert status == 200 and gsids_of(body["data"]) == [b]
    assert index(t, "Name", "old") == [a]
    assert index(t, "Name", "brand new") == [b]
    assert (stored(t, b) or {})["GSI2SK"] == f"brand new\x01{b}"


def test_a_key_matching_several_companies_updates_all(tenant, principal) -> None:
    a, b, c = gsids_of(service.insert_companies(principal, [{"Name": "Dup"}, {"Name": "dup"}, {"Name": "Other"}]))
    status, body = update(tenant["accessKey"], "Name", [{"Name": "DUP", "Status": "Active"}])
    assert status == 200
    assert body["data"]["count"] == 2 and gsids_of(body["data"]) == [a, b]
    assert [(stored(tenant["tenantId"], g) or {}).get("Status") for g in (a, b, c)] == ["Active", "Active", None]


def test_keys_are_anded(tenant, principal) -> None:
    a, b = gsids_of(
        service.insert_companies(
            principal, [{"Name": "Twin", "SfdcAccountId": "001A"}, {"Name": "Twin", "SfdcAccountId": "001B"}]
        )
    )
    data = service.update_companies(
        principal, [{"Name": "twin", "SfdcAccountId": "001B", "Type": "Partner"}], "Name,SfdcAccountId"
    )
    assert gsids_of(data) == [b]
    assert "Type" not in (stored(tenant["tenantId"], a) or {})
    data = service.update_companies(principal, [{"Gsid": a, "Name": "Twin", "Type": "Customer"}], "Gsid,Name")
    assert gsids_of(data) == [a]
    with pytest.raises(BadRequest) as raised:  # SfdcAccountId is compared exactly
        service.update_companies(
            principal, [{"Name": "Twin", "SfdcAccountId": "001b", "Type": "X"}], "Name,SfdcAccountId"
        )
    assert raised.value.code == "GSOBJ_1011"


def test_no_match_is_400_gsobj_1011_with_the_data(tenant, principal) -> None:
    service.insert_companies(principal, [{"Name": "Known"}])
    status, body = update(tenant["accessKey"], "Name", [{"Name": "Unknown", "Stage": "X"}])
    assert status == 400
    assert body["errorCode"] == "GSOBJ_1011" and body["errorDesc"] == "No entity matches the given criteria"
    assert body["data"] == {
        "count": 0,
        "errors": [
            {
                "index": 0,
                "record": {"Name": "Unknown", "Stage": "X"},
                "errorCode": "GSOBJ_1011",
                "errorMessage": "No entity matches the given criteria",
            }
        ],
        "records": [],
    }


def test_update_reports_unmatched_records_and_updates_the_others(tenant, principal) -> None:
    (gsid,) = gsids_of(service.insert_companies(principal, [{"Name": "Here"}]))
    status, body = update(
        tenant["accessKey"],
        "Name",
        [{"Name": "Gone", "Stage": "X"}, {"Name": "Here", "Stage": "Y"}, {"Name": "Here", "Stage": "Z", "Bogus": 1}],
    )
    assert status == 200
    assert gsids_of(body["data"]) == [gsid] and body["data"]["records"][0]["Stage"] == "Y"
    assert [(e["index"], e["errorCode"]) for e in body["data"]["errors"]] == [(0, "GSOBJ_1011"), (2, "GSOBJ_1002")]


def test_records_matching_one_company_apply_in_order(tenant, principal) -> None:
    (gsid,) = gsids_of(service.insert_companies(principal, [{"Name": "One"}]))
    data = service.update_companies(
        principal, [{"Gsid": gsid, "Stage": "A", "ARR": 1}, {"Gsid": gsid, "Stage": "B"}], "Gsid"
    )
    assert data["count"] == 1 and data["records"][0]["Stage"] == "B" and data["records"][0]["ARR"] == 1


@pytest.mark.parametrize(
    ("keys_param", "words"),
    [
        ("Industry", "keys: Industry is not supported as a key field; supported: Gsid, Name, SfdcAccountId"),
        ("Gsid,Name,SfdcAccountId,Website", "at most 3 key fields"),
        (" , ", "at least one key field"),
    ],
)
def test_bad_keys_are_400(tenant, keys_param, words) -> None:
    status, body = update(tenant["accessKey"], keys_param, [{"Name": "A"}])
    assert status == 400 and body["errorCode"] == "GS_1400" and words in body["errorDesc"]


def test_keys_are_required(tenant) -> None:
    status, body = update(tenant["accessKey"], None, [{"Name": "A"}])
    assert status == 400 and body["errorCode"] == "GS_1400" and "keys" in body["errorDesc"]


@pytest.mark.parametrize(
    ("keys_param", "record", "code", "words"),
    [
        ("Name", {"Stage": "X"}, "GSOBJ_1007", "Name: key field is missing"),
        ("Gsid", {"Stage": "X"}, "GSOBJ_1004", "Gsid: key field is missing"),
        ("Gsid", {"Gsid": "nope", "Stage": "X"}, "GSOBJ_1004", "is not a Company GSID"),
        ("Name", {"Name": "Acme", "Gsid": "1P02" + "0" * 32}, "GSOBJ_1002", "use keys=Gsid"),
        ("Gsid", {"Gsid": "1P02" + "0" * 32, "Name": None}, "GSOBJ_1007", "Name: required field must not be null"),
    ],
)
def test_update_record_problems(principal, keys_param, record, code, words) -> None:
    with pytest.raises(BadRequest) as raised:
        service.update_companies(principal, [record], keys_param)
    (error,) = raised.value.data["errors"]
    assert error["errorCode"] == code and words in error["errorMessage"]


def test_a_company_cannot_be_its_own_parent(principal) -> None:
    (gsid,) = gsids_of(service.insert_companies(principal, [{"Name": "Loop"}]))
    with pytest.raises(BadRequest) as raised:
        service.update_companies(principal, [{"Gsid": gsid, "ParentCompany": gsid}], "Gsid")
    assert raised.value.code == "GSOBJ_1002" and "own parent" in raised.value.desc


def test_update_clears_a_parent_by_null_name(tenant, principal) -> None:
    parent, child = gsids_of(service.insert_companies(principal, [{"Name": "P"}, {"Name": "C"}]))
    service.update_companies(principal, [{"Gsid": child, "ParentCompanyName": "P"}], "Gsid")
    assert (stored(tenant["tenantId"], child) or {})["ParentCompany"] == parent
    service.update_companies(principal, [{"Gsid": child, "ParentCompanyName": None}], "Gsid")
    assert "ParentCompany" not in (stored(tenant["tenantId"], child) or {})


# ---------------------------------------------------------------- delete


def test_delete_removes_the_record_its_index_entries_and_counts_down(tenant, principal) -> None:
    t = tenant["tenantId"]
    a, b = gsids_of(service.insert_companies(principal, [{"Name": "Del", "SfdcAccountId": "001D"}, {"Name": "Del"}]))
    status, body = delete(tenant["accessKey"], a)
    assert status == 200 and body["data"] == {"count": 1, "errors": None, "records": [{"Gsid": a}]}
    assert stored(t, a) is None and stored(t, b) is not None
    assert index(t, "Name", "del") == [b]
    assert index(t, "SfdcAccountId", "001D") is None
    assert total(t) == 1
    status, body = delete(tenant["accessKey"], a)
    assert status == 404 and body["errorCode"] == "GS_1404"


@pytest.mark.parametrize("gsid", ["abc", "1P01" + "0" * 32, "1p02" + "0" * 32])
def test_delete_of_a_malformed_gsid_is_400(tenant, gsid) -> None:
    status, body = delete(tenant["accessKey"], gsid)
    assert status == 400 and body["errorCode"] == "GSOBJ_1004" and "GSID invalid or missing" in body["errorDesc"]


def test_another_tenants_company_is_unknown(tenant, principal) -> None:
    (gsid,) = gsids_of(service.insert_companies(principal, [{"Name": "Mine", "SfdcAccountId": "001M"}]))
    other = tenants.create_tenant("Other")
    status, body = delete(other["accessKey"], gsid)
    assert status == 404 and body["errorCode"] == "GS_1404"
    for keys_param, record in (
        ("Gsid", {"Gsid": gsid}),
        ("Name", {"Name": "Mine"}),
        ("SfdcAccountId", {"SfdcAccountId": "001M"}),
    ):
        status, body = update(other["accessKey"], keys_param, [{**record, "Stage": "Stolen"}])
        assert status == 400 and body["errorCode"] == "GSOBJ_1011"
    status, body = insert(other["accessKey"], [{"Name": "Theirs", "ParentCompany": gsid}])
    assert status == 400 and body["errorCode"] == "GSOBJ_1004"
    status, body = insert(other["accessKey"], [{"Name": "Theirs", "ParentCompanyName": "Mine"}])
    assert status == 400 and body["errorCode"] == "GSOBJ_1004"
    assert "Stage" not in (stored(tenant["tenantId"], gsid) or {})
    assert total(tenant["tenantId"]) == 1 and total(other["tenantId"]) == 0


def test_delete_service_raises_not_found_for_unknown(principal) -> None:
    with pytest.raises(NotFound):
        service.delete_company(principal, ids.new_gsid(ids.COMPANY))


# ---------------------------------------------------------------- round trips


def test_insert_round_trips_do_not_grow_with_records(principal, dynamodb_calls) -> None:
    parent = gsids_of(service.insert_companies(principal, [{"Name": "P"}]))[0]
    one = [{"Name": "N0", "SfdcAccountId": "S0", "ParentCompany": parent, "Csm": principal.user_gsid}]
    fifty = [
        {"Name": f"N{i}", "SfdcAccountId": f"S{i}", "ParentCompany": parent, "Csm": principal.user_gsid}
        for i in range(50)
    ]
    dynamodb_calls.clear()
    service.insert_companies(principal, one)
    calls_one = list(dynamodb_calls)
    dynamodb_calls.clear()
    data = service.insert_companies(principal, fifty)
    assert data["count"] == 50
    assert calls_one == ["BatchGetItem", "TransactWriteItems"]
    # 50 records + 100 index items + the counter = 151 actions: two transactions.
    assert dynamodb_calls == ["BatchGetItem", "TransactWriteItems", "TransactWriteItems"]
    assert len(dynamodb_calls) - len(calls_one) <= 1


def test_update_round_trips_do_not_grow_with_records(principal, dynamodb_calls) -> None:
    service.insert_companies(principal, [{"Name": f"N{i}", "SfdcAccountId": f"S{i}"} for i in range(50)])
    dynamodb_calls.clear()
    service.update_companies(principal, [{"Name": "N0", "SfdcAccountId": "T0"}], "Name")
    calls_one = list(dynamodb_calls)
    dynamodb_calls.clear()
    data = service.update_companies(principal, [{"Name": f"N{i}", "SfdcAccountId": f"T{i}"} for i in range(50)], "Name")
    assert data["count"] == 50
    # Name index items; the matched records; the SfdcAccountId index items left; the writes.
    assert calls_one == ["BatchGetItem", "BatchGetItem", "BatchGetItem", "TransactWriteItems"]
    assert dynamodb_calls.count("BatchGetItem") == 3 and dynamodb_calls.count("TransactWriteItems") == 2
    assert len(dynamodb_calls) - len(calls_one) <= 1


def test_delete_costs_two_reads_and_one_transaction(principal, dynamodb_calls) -> None:
    (gsid,) = gsids_of(service.insert_companies(principal, [{"Name": "D"}]))
    dynamodb_calls.clear()
    service.delete_company(principal, gsid)
    assert dynamodb_calls == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"]


# ---------------------------------------------------------------- concurrency


def test_a_concurrent_index_change_cancels_and_the_update_is_retried(tenant, principal, monkeypatch) -> None:
    t = tenant["tenantId"]
    a, b = gsids_of(service.insert_companies(principal, [{"Name": "Old"}, {"Name": "Old"}]))
    original = table.transact
    attempts: list[int] = []

    def racing_transact(actions):
        attempts.append(len(actions))
        if len(attempts) == 1:
            # After our reads, before our write, someone deletes the first "Old": b moves
            # from position 1 to 0 of the index list our removal was planned against.
            monkeypatch.setattr(table, "transact", original)
            service.delete_company(principal, a)
            monkeypatch.setattr(table, "transact", racing_transact)
        return original(actions)

    monkeypatch.setattr(table, "transact", racing_transact)
    data = service.update_companies(principal, [{"Gsid": b, "Name": "New"}], "Gsid")
    assert gsids_of(data) == [b]
    assert attempts == [3, 3]  # record + two index items; cancelled once, then written
    assert index(t, "Name", "old") is None
    assert index(t, "Name", "new") == [b]


def test_a_concurrent_record_change_is_kept(tenant, principal, fake_clock, monkeypatch) -> None:
    (gsid,) = gsids_of(service.insert_companies(principal, [{"Name": "Busy"}]))
    original = repo.write
    raced = []

    def racing_write(tenant_id, writes, snapshot):
        if not raced:
            raced.append(True)
            monkeypatch.setattr(repo, "write", original)
            fake_clock.at += 1
            service.update_companies(principal, [{"Gsid": gsid, "Stage": "Raced"}], "Gsid")
            fake_clock.at += 1
            monkeypatch.setattr(repo, "write", racing_write)
        return original(tenant_id, writes, snapshot)

    monkeypatch.setattr(repo, "write", racing_write)
    data = service.update_companies(principal, [{"Gsid": gsid, "Industry": "Mine"}], "Gsid")
    item = stored(tenant["tenantId"], gsid) or {}
    assert item["Stage"] == "Raced" and item["Industry"] == "Mine"
    assert data["records"][0]["Stage"] == "Raced"
    assert item["ModifiedDate"] == "2027-01-15T08:00:02.000Z"


def test_a_removal_guard_fails_instead_of_removing_the_wrong_element(tenant, principal) -> None:
    t = tenant["tenantId"]
    _, b = gsids_of(service.insert_companies(principal, [{"Name": "Guard"}, {"Name": "Guard"}]))
    snapshot = repo.Snapshot(t)
    snapshot.fetch([repo.record_key(t, b)])
    before = snapshot.company(b)
    assert before is not None
    snapshot.fetch([repo.index_key(t, "Name", "Guard")])  # [a, b]: b at position 1
    aws.dynamodb().update_item(  # someone removes a meanwhile: b is now at position 0
        TableName=config.tenant_table(),
        Key=repo.index_key(t, "Name", "Guard"),
        UpdateExpression="REMOVE gsids[0]",
    )
    write = repo.CompanyWrite(b, repo.delete_record(t, before), index_remove=[("Name", "Guard")], counter=-1)
    assert repo.write(t, [write], snapshot) == 0
    assert index(t, "Name", "guard") == [b] and stored(t, b) is not None and total(t) == 2


def test_parse_keys_and_schema_constants() -> None:
    assert schema.parse_keys("Name, SfdcAccountId,Name") == ("Name", "SfdcAccountId")
    assert set(schema.KEY_FIELDS) == {"Gsid", "Name", "SfdcAccountId"}


def test_the_shipped_events_work_with_a_real_key(tenant) -> None:
    def invoke(name: str) -> tuple[int, dict[str, Any]]:
        event = json.loads((ROOT / "events" / f"{name}.json").read_text())
        event["headers"]["accesskey"] = tenant["accessKey"]
        event["multiValueHeaders"]["accesskey"] = [tenant["accessKey"]]
        function = FUNCTIONS[name]
        response = HANDLERS[name](event, LambdaContext(function.name, 512, function.arn, "r", 10_000))
        return response["statusCode"], json.loads(response["body"])

    status, body = invoke("companies_insert")
    assert status == 200 and body["data"]["records"][0]["Name"] == "Acme Corp"
    status, body = invoke("companies_update")
    assert status == 200 and body["data"]["records"][0]["Stage"] == "Adopting"
    status, body = invoke("companies_delete")  # a well-formed GSID that does not exist
    assert status == 404 and body["errorCode"] == "GS_1404"
