"""Users list (SPEC §2.5): the seed sample, rows, picklist labels, index-served pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.errors import ApiError
from cscore.tenants import service as tenants
from cscore.users import listing, service

SEED = json.loads((Path(__file__).parent.parent / "fixtures" / "seed_users.json").read_text())


@pytest.fixture
def admin(aws_tables) -> Principal:
    tenant = tenants.create_tenant("List")
    return auth.authenticate({"accesskey": tenant["accessKey"]})


def _people(admin: Principal, n: int, fake_clock: Any = None) -> list[dict[str, Any]]:
    created = []
    for i in range(n):
        if fake_clock is not None:
            fake_clock.at += 1
        record = {"Name": f"Person {i:03d}", "Email": f"p{i}@x.io", "SFDCUserName": f"p{i}@x.io"}
        record["LicenseType"] = "Viewer" if i % 2 else "Full"
        created += service.create_users(admin, {"records": [record]})["records"]
    return created


def test_the_seed_list_sample_answers_200_and_matches_nothing(admin) -> None:
    data = listing.list_users(admin, SEED["list_request"])
    assert data == {"page": 0, "size": 0, "limit": 25, "users": [], "total": 0}


def test_rows_show_selected_fields_status_and_labels(admin) -> None:
    _people(admin, 2)
    body = {"select": ["Name", "LicenseType", "ModifiedDate"], "orderBy": {"Name": "asc"}, "includeTotal": True}
    data = listing.list_users(admin, body)
    assert data["total"] == 3 and data["size"] == 3  # two people and the super admin
    first = data["users"][0]
    assert set(first) == {"Name", "LicenseType", "ModifiedDate", "Gsid", "ProfilePicture", "Status"}
    assert first["Name"] == "Person 000" and first["LicenseType"] == "Full" and first["Status"] == "Active"
    assert first["ModifiedDate"].endswith("Z")


def test_conditions_take_labels_or_gsids_and_expressions(admin) -> None:
    _people(admin, 6)
    viewer = "1I003CYFM4Q8T50O0EK4EPT0XX6S7SUXS5JJ"
    body = {
        "select": ["Name"],
        "where": {
            "conditions": [
                {"name": "LicenseType", "alias": "V", "operator": "EQ", "value": [viewer]},
                {"name": "Name", "alias": "N", "operator": "STARTS_WITH", "value": ["person 00"]},
                {"name": "Name", "alias": "F", "operator": "EQ", "value": ["Person 005"]},
            ],
            "expression": "N AND NOT (V AND F)",
        },
        "orderBy": {"Name": "desc"},
    }
    names = [u["Name"] for u in listing.list_users(admin, body)["users"]]
    assert names == ["Person 004", "Person 003", "Person 002", "Person 001", "Person 000"]  # 005 is V AND F
    by_label = {**body, "where": {**body["where"], "conditions": [
        {**body["where"]["conditions"][0], "value": ["viewer"]}, *body["where"]["conditions"][1:]]}}  # fmt: skip
    assert [u["Name"] for u in listing.list_users(admin, by_label)["users"]] == names


def test_deactivated_users_show_inactive(admin) -> None:
    person = _people(admin, 1)[0]
    service.update_status(admin, [person["Gsid"]], "false")
    body = {"select": ["Name"], "where": {"conditions": [{"name": "Status", "operator": "EQ", "value": ["Inactive"]}]}}
    assert [u["Gsid"] for u in listing.list_users(admin, body)["users"]] == [person["Gsid"]]


def _where(*conditions: dict[str, Any], expression: str | None = None) -> dict[str, Any]:
    where: dict[str, Any] = {"conditions": list(conditions)}
    if expression is not None:
        where["expression"] = expression
    return {"select": ["Name"], "where": where}


NAME_IS_X = {"name": "Name", "alias": "A", "operator": "EQ", "value": ["x"]}


@pytest.mark.parametrize(
    ("body", "code", "text"),
    [
        ({"select": ["Name", "Shoe"]}, "GU_1705", "Shoe"),
        (_where(NAME_IS_X, expression="A AND B"), "GS_1400", "B"),
        (_where({**NAME_IS_X, "operator": "LIKE"}), "GS_1400", "LIKE"),
        (_where(NAME_IS_X, expression="(A"), "GS_1400", "parenthes"),
        ({"select": ["Name"], "limit": 1001}, "GS_1400", "limit"),
        ({}, "GS_1400", "select"),
    ],
)
def test_bad_queries_are_400_naming_the_problem(admin, body: dict[str, Any], code: str, text: str) -> None:
    with pytest.raises(ApiError) as error:
        listing.list_users(admin, body)
    assert (error.value.status, error.value.code) == (400, code)
    assert text.lower() in error.value.desc.lower()


def test_paging_is_stable_and_complete(admin) -> None:
    people = _people(admin, 7)
    seen = []
    for page in range(4):
        body = {"select": ["Name"], "orderBy": {"LicenseType": "asc"}, "limit": 2, "page": page}
        seen += [u["Gsid"] for u in listing.list_users(admin, body)["users"]]
    assert sorted(seen) == sorted([p["Gsid"] for p in people] + [admin.user_gsid])


def test_an_unfiltered_page_by_index_reads_only_that_page(admin, fake_clock, dynamodb_calls) -> None:
    _people(admin, 40, fake_clock)
    read: list[int] = []

    def count_items(parsed: dict[str, Any], **_: Any) -> None:
        read.append(len(parsed.get("Items", [])))

    from cscore.platform import aws

    aws.dynamodb().meta.events.register("after-call.dynamodb.Query", count_items)
    for order in ({"ModifiedDate": "desc"}, {"Name": "asc"}):
        read.clear()
        dynamodb_calls.clear()
        data = listing.list_users(admin, {"select": ["Name"], "orderBy": order, "limit": 5, "includeTotal": True})
        assert data["size"] == 5 and data["total"] == 41
        assert sum(read) == 5  # not 41
        assert dynamodb_calls == ["Query", "GetItem"]  # the page, and the counter for the total
    newest = listing.list_users(admin, {"select": ["Name"], "orderBy": {"ModifiedDate": "desc"}, "limit": 1})
    assert newest["users"][0]["Name"] == "Person 039"
    everyone = _where({"name": "Name", "operator": "IS_NOT_NULL", "value": []})
    reference = listing.list_users(admin, {**everyone, "orderBy": {"Name": "asc"}, "limit": 5, "page": 3})
    by_index = listing.list_users(admin, {"select": ["Name"], "orderBy": {"Name": "asc"}, "limit": 5, "page": 3})
    assert by_index["users"] == reference["users"]  # the index and the engine agree


def test_the_name_index_orders_as_the_engine_does(admin) -> None:
    names = ["Ann B", "Ann", "ann a", "Änne", "Zoe", "Ann!", "ANN"]
    for i, name in enumerate(names):
        service.create_users(admin, {"records": [{"Name": name, "Email": f"n{i}@x.io", "SFDCUserName": f"n{i}@x.io"}]})
    for direction in ("asc", "desc"):
        by_index = listing.list_users(admin, {"select": ["Name"], "orderBy": {"Name": direction}, "limit": 20})
        everyone = _where({"name": "Name", "operator": "IS_NOT_NULL", "value": []})
        by_engine = listing.list_users(admin, {**everyone, "orderBy": {"Name": direction}, "limit": 20})
        assert [u["Gsid"] for u in by_index["users"]] == [u["Gsid"] for u in by_engine["users"]]


def test_bundles_assigned_by_the_worker_are_readable_through_list(admin) -> None:
    import os

    import boto3

    from cscore.users import worker

    person = _people(admin, 1)[0]
    queue = os.environ["USER_EVENTS_QUEUE_URL"]
    sqs = boto3.client("sqs")
    for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
        worker.deliver(json.loads(message["Body"]))
    body = {
        "select": ["permissionBundles"],
        "where": {"conditions": [{"name": "Gsid", "operator": "EQ", "value": [person["Gsid"]]}]},
    }
    assert listing.list_users(admin, body)["users"][0]["permissionBundles"] == ["DEFAULT_BUNDLE"]
