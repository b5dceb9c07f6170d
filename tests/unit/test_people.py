"""The data write API for Person and CompanyPerson and the People API (SPEC §7): through the
real handlers where routing and the HTTP contract matter, through the services where the
stored items and the DynamoDB calls do."""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.companies import service as companies
from cscore.errors import ApiError, BadRequest, NotFound
from cscore.meta import service as meta
from cscore.meta.models import FieldDefinition
from cscore.people import service, upsert
from cscore.people.models import PersonUpsert
from cscore.platform import aws, config, ids, keys, table
from cscore.platform.dynamo import to_item
from cscore.tenants import service as tenants
from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event
from tests.unit.conftest import STACK

FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}
HANDLERS = {
    name: load_handler(FUNCTIONS[name].code_dir, FUNCTIONS[name].handler, f"unit_{name}")
    for name in ("objects_insert", "objects_update", "people_upsert")
}
CREATED_MS = 1800000000000  # the fake clock's start, 2027-01-15T08:00:00Z


def _call(name: str, method: str, path: str, key: str, body: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    event = api_event(method, path, key, body, **kwargs)
    function = FUNCTIONS[name]
    context = LambdaContext(function.name, 512, function.arn, str(uuid.uuid4()), 10_000)
    response = HANDLERS[name](event, context)
    return response["statusCode"], json.loads(response["body"])


def insert_http(key: str, obj: str, records: list[Any]) -> tuple[int, dict[str, Any]]:
    path = f"/v1/data/objects/{obj}"
    return _call(
        "objects_insert", "POST", path, key, {"records": records}, params={"objectName": obj},
        resource="/v1/data/objects/{objectName}",
    )  # fmt: skip


def update_http(key: str, obj: str, keys_param: str, records: list[Any]) -> tuple[int, dict[str, Any]]:
    path = f"/v1/data/objects/{obj}"
    return _call(
        "objects_update", "PUT", path, key, {"records": records}, params={"objectName": obj},
        resource="/v1/data/objects/{objectName}", query={"keys": keys_param},
    )  # fmt: skip


def people_http(key: str, body: Any, path: str = "/v1/peoplemgmt/v1.0/people") -> tuple[int, dict[str, Any]]:
    return _call("people_upsert", "PUT", path, key, body)


@pytest.fixture
def tenant(aws_tables, fake_clock) -> dict[str, str]:
    return tenants.create_tenant("People")


@pytest.fixture
def admin(tenant) -> Principal:
    return auth.authenticate({"accesskey": tenant["accessKey"]})


@pytest.fixture
def company(admin) -> str:
    return str(companies.insert_companies(admin, [{"Name": "Acme"}])["records"][0]["Gsid"])


def stored(tenant_id: str, obj: str, gsid: str) -> dict[str, Any] | None:
    return table.read_one(keys.record(tenant_id, obj, gsid))


def owner_of_email(tenant_id: str, email: str) -> str | None:
    item = table.read_one(keys.unique_value(tenant_id, "Person", "Email", email))
    return None if item is None else str(item["gsid"])


def total(tenant_id: str, obj: str) -> int:
    item = table.read_one(keys.counter(tenant_id, obj))
    return int(item["total"]) if item else 0


# ---------------------------------------------------------------- data write API


def test_person_insert_stores_record_unique_item_counter_and_answers_epoch_dates(tenant, admin) -> None:
    status, body = insert_http(tenant["accessKey"], "Person", [{"Email": " Ann@X.io ", "FirstName": "Ann"}])
    assert status == 200, body
    (record,) = body["data"]["records"]
    gsid = record["Gsid"]
    assert ids.is_gsid(gsid, ids.PERSON)
    assert record == {
        "Gsid": gsid,
        "CreatedBy": admin.user_gsid,
        "CreatedDate": CREATED_MS,
        "Email": "Ann@X.io",
        "FirstName": "Ann",
        "ModifiedBy": admin.user_gsid,
        "ModifiedDate": CREATED_MS,
    }
    t = tenant["tenantId"]
    item = stored(t, "Person", gsid)
    assert item is not None and item["GSI2PK"] == f"T#{t}#Person" and item["GSI2SK"] == f"ann\x01{gsid}"
    assert owner_of_email(t, "ann@x.io") == gsid
    assert total(t, "Person") == 1


def test_person_email_is_unique_per_tenant(tenant, admin) -> None:
    service.insert_records(admin, "Person", [{"Email": "ann@x.io"}])
    data = service.insert_records(
        admin, "Person", [{"Email": "bob@x.io"}, {"Email": "ANN@x.io"}, {"Email": "bob@X.io"}]
    )
    assert data["count"] == 1
    assert [(e["index"], e["errorCode"]) for e in data["errors"]] == [(1, "GS_1409"), (2, "GS_1409")]
    assert "already the Email of Person" in data["errors"][0]["errorMessage"]
    assert "record 0 of this request" in data["errors"][1]["errorMessage"]
    assert total(tenant["tenantId"], "Person") == 2


def test_company_person_references_must_exist(tenant, admin, company) -> None:
    person = service.insert_records(admin, "Person", [{"Email": "ann@x.io"}])["records"][0]["Gsid"]
    missing = ids.new_gsid(ids.COMPANY)
    data = service.insert_records(
        admin,
        "company_person",
        [
            {"Company_ID": company, "Person_ID": person, "Title": "CTO"},
            {"CompanyId": missing, "PersonId": person},
            {"CompanyId": company},
        ],
    )
    assert data["count"] == 1 and data["records"][0]["CompanyId"] == company
    assert data["records"][0]["PersonId"] == person
    codes = {e["index"]: e["errorCode"] for e in data["errors"]}
    assert codes == {1: "GSOBJ_1004", 2: "GSOBJ_1007"}
    t = tenant["tenantId"]
    item = stored(t, "CompanyPerson", data["records"][0]["Gsid"])
    assert item is not None and item["GSI2PK"] == f"T#{t}#CompanyPerson#Company#{company}"
    assert item["GSI3PK"] == f"T#{t}#CompanyPerson#Person#{person}"


def test_update_by_email_and_no_match_is_gsobj_1011(tenant, admin) -> None:
    gsid = service.insert_records(admin, "Person", [{"Email": "ann@x.io", "Title": "CTO"}])["records"][0]["Gsid"]
    data = service.update_records(admin, "person", [{"Email": "ANN@x.io", "Title": None, "Phone": "1"}], "Email")
    assert data["count"] == 1 and data["records"][0]["Gsid"] == gsid
    item = stored(tenant["tenantId"], "Person", gsid)
    assert item is not None and "Title" not in item and item["Phone"] == "1"
    with pytest.raises(BadRequest) as error:
        service.update_records(admin, "Person", [{"Email": "nobody@x.io", "Title": "x"}], "Email")
    assert error.value.code == "GSOBJ_1011" and error.value.data["count"] == 0


def test_update_moving_the_email_moves_the_unique_item(tenant, admin) -> None:
    ann, bob = (
        r["Gsid"]
        for r in service.insert_records(admin, "Person", [{"Email": "ann@x.io"}, {"Email": "bob@x.io"}])["records"]
    )
    data = service.update_records(
        admin, "Person", [{"Gsid": ann, "Email": "anna@x.io"}, {"Gsid": bob, "Email": "anna@x.io"}], "Gsid"
    )
    assert data["count"] == 1 and data["errors"][0]["index"] == 1 and data["errors"][0]["errorCode"] == "GS_1409"
    t = tenant["tenantId"]
    assert owner_of_email(t, "anna@x.io") == ann and owner_of_email(t, "ann@x.io") is None
    assert owner_of_email(t, "bob@x.io") == bob


def test_a_bad_custom_field_fails_the_record_with_gsobj_codes(tenant, admin) -> None:
    meta.add_field(admin, "Person", FieldDefinition.model_validate({"name": "Score__gc", "type": "number"}))
    meta.add_field(admin, "Person", FieldDefinition.model_validate({"name": "Since__gc", "type": "date"}))
    fresh = auth.authenticate({"accesskey": tenant["accessKey"]})
    data = service.insert_records(
        fresh,
        "Person",
        [
            {"Email": "a@x.io", "Score__gc": 3, "Since__gc": "2026-03-01"},
            {"Email": "b@x.io", "Score__gc": "many"},
            {"Email": "c@x.io", "Since__gc": "soon"},
            {"Email": "d@x.io", "Nope__gc": 1},
        ],
    )
    assert data["count"] == 1
    assert data["records"][0]["Since__gc"] == 1772323200000 and data["records"][0]["Score__gc"] == 3
    assert {e["index"]: e["errorCode"] for e in data["errors"]} == {1: "GSOBJ_1002", 2: "GSOBJ_1005", 3: "GSOBJ_1002"}


def test_routing_company_is_delegated_and_other_objects_are_404(tenant) -> None:
    status, body = insert_http(tenant["accessKey"], "company", [{"Name": "Via the parameterized route"}])
    assert status == 200 and ids.is_gsid(body["data"]["records"][0]["Gsid"], ids.COMPANY)
    assert total(tenant["tenantId"], "Company") == 1
    for obj in ("CompanyTeam", "Widget"):
        status, body = insert_http(tenant["accessKey"], obj, [{"Name": "x"}])
        assert status == 404 and body["result"] is False, body
    status, body = update_http(tenant["accessKey"], "Person", "Email", [{"Email": "nobody@x.io", "Title": "x"}])
    assert status == 400 and body["errorCode"] == "GSOBJ_1011"


def test_insert_round_trips_do_not_grow_with_records(admin, company, dynamodb_calls) -> None:
    people = service.insert_records(admin, "Person", [{"Email": f"p{i}@x.io"} for i in range(50)])["records"]
    other = service.insert_records(admin, "Person", [{"Email": "other@x.io"}])["records"][0]["Gsid"]
    dynamodb_calls.clear()
    service.insert_records(admin, "CompanyPerson", [{"CompanyId": company, "PersonId": other}])
    one = list(dynamodb_calls)
    dynamodb_calls.clear()
    data = service.insert_records(
        admin, "CompanyPerson", [{"CompanyId": company, "PersonId": p["Gsid"]} for p in people]
    )
    assert data["count"] == 50
    assert one == ["BatchGetItem", "TransactWriteItems"]
    # 50 persons, their 50 pairs' keys and the company: 101 keys, two BatchGetItem calls;
    # 50 records + the counter: one transaction.
    assert dynamodb_calls == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"]
    dynamodb_calls.clear()
    service.update_records(admin, "Person", [{"Email": p["Email"], "Title": "T"} for p in people], "Email")
    # the unique items, the records, then 50 updates in one transaction
    assert dynamodb_calls == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"]


# ---------------------------------------------------------------- People API


def test_people_upsert_creates_then_updates_and_adds_company_persons(tenant, admin, company) -> None:
    status, body = people_http(
        tenant["accessKey"],
        {
            "Email": "Ann@x.io",
            "FirstName": "Ann",
            "LinkedinUrl": "https://l.in/ann",
            "companies": [{"Company_ID": company, "Title": "CTO"}],
        },
    )
    assert status == 200, body
    created = body["data"]
    assert created["created"] is True and ids.is_gsid(created["Gsid"], ids.PERSON)
    (link,) = created["companyPersons"]
    assert link["created"] is True and link["Company_ID"] == company
    status, body = people_http(
        tenant["accessKey"],
        {"Email": "ann@X.io", "Location": "Oslo", "companies": [{"Company_ID": company}]},
        "/v1.0/api/people",
    )
    assert status == 200, body
    assert body["data"]["Gsid"] == created["Gsid"] and body["data"]["created"] is False
    assert body["data"]["companyPersons"] == [{"Gsid": link["Gsid"], "Company_ID": company, "created": False}]
    t = tenant["tenantId"]
    person = stored(t, "Person", created["Gsid"])
    assert person is not None and person["Location"] == "Oslo" and person["FirstName"] == "Ann"
    cp = stored(t, "CompanyPerson", link["Gsid"])
    assert cp is not None and cp["Title"] == "CTO" and cp["PersonId"] == created["Gsid"]
    assert total(t, "Person") == 1 and total(t, "CompanyPerson") == 1


def test_people_upsert_refuses_unknown_fields_and_companies_writing_nothing(tenant, admin, company) -> None:
    status, body = people_http(tenant["accessKey"], {"Email": "a@x.io", "Colour": "red"})
    assert status == 400 and body["errorCode"] == "GSOBJ_1002" and "Colour" in body["errorDesc"]
    missing = ids.new_gsid(ids.COMPANY)
    with pytest.raises(BadRequest) as error:
        upsert.upsert_person(
            admin,
            PersonUpsert.model_validate(
                {"Email": "a@x.io", "companies": [{"Company_ID": company}, {"Company_ID": missing}]}
            ),
        )
    assert (
        error.value.code == "GSOBJ_1004"
        and f"companies[1].Company_ID: no company with GSID {missing}" in error.value.desc
    )
    assert owner_of_email(tenant["tenantId"], "a@x.io") is None and total(tenant["tenantId"], "Person") == 0


def test_people_upsert_sync_linked_company_is_not_added_twice(tenant, admin, company) -> None:
    person = service.insert_records(admin, "Person", [{"Email": "a@x.io"}])["records"][0]["Gsid"]
    existing = service.insert_records(admin, "CompanyPerson", [{"CompanyId": company, "PersonId": person}])["records"][
        0
    ]
    data = upsert.upsert_person(
        admin, PersonUpsert.model_validate({"Email": "a@x.io", "companies": [{"Company_ID": company, "Title": "VP"}]})
    )
    assert data["companyPersons"] == [{"Gsid": existing["Gsid"], "Company_ID": company, "created": False}]
    item = stored(tenant["tenantId"], "CompanyPerson", existing["Gsid"])
    assert item is not None and item["Title"] == "VP"
    assert total(tenant["tenantId"], "CompanyPerson") == 1


def test_people_upsert_round_trips(admin, company, dynamodb_calls) -> None:
    body = PersonUpsert.model_validate({"Email": "a@x.io", "companies": [{"Company_ID": company}]})
    upsert.upsert_person(admin, body)
    assert dynamodb_calls == ["BatchGetItem", "TransactWriteItems"]
    dynamodb_calls.clear()
    upsert.upsert_person(admin, body)
    # the e-mail and the company; the person and its link by derived key; one transaction
    assert dynamodb_calls == ["BatchGetItem", "BatchGetItem", "TransactWriteItems"]


def test_concurrent_upserts_of_one_new_email_make_one_person(tenant, admin, serialized) -> None:
    answers: list[dict[str, Any]] = []
    failures: list[ApiError] = []

    def run(i: int) -> None:
        try:
            answers.append(
                upsert.upsert_person(admin, PersonUpsert.model_validate({"Email": "same@x.io", "Title": f"T{i}"}))
            )
        except ApiError as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {a["Gsid"] for a in answers} == {owner_of_email(tenant["tenantId"], "same@x.io")}
    assert sum(a["created"] for a in answers) == 1
    assert total(tenant["tenantId"], "Person") == 1
    assert all(f.code == "GS_1409" for f in failures)


def test_unknown_object_on_the_service_is_404(admin) -> None:
    with pytest.raises(NotFound):
        service.insert_records(admin, "gsuser", [{"Email": "a@x.io"}])


def test_a_company_the_caller_may_not_access_is_one_that_does_not_exist(tenant, admin, company) -> None:
    """A user on no team, with team-based access and no rule (SPEC §4.3), writes persons
    (never restricted) but no Company Person of a company it cannot see."""
    t = tenant["tenantId"]
    gsid = ids.new_gsid(ids.USER)
    user = {"Gsid": gsid, "Name": "Pat", "Email": "pat@x.io", "IsSuperAdmin": False}
    aws.dynamodb().put_item(TableName=config.tenant_table(), Item={**keys.user(t, gsid), **to_item(user)})
    pat = auth.authenticate({"accesskey": tenants.create_user_key(t, gsid)})
    person = service.insert_records(pat, "Person", [{"Email": "a@x.io"}])["records"][0]["Gsid"]
    with pytest.raises(BadRequest) as error:
        service.insert_records(pat, "CompanyPerson", [{"CompanyId": company, "PersonId": person}])
    assert error.value.code == "GSOBJ_1004"
    link = service.insert_records(admin, "CompanyPerson", [{"CompanyId": company, "PersonId": person}])["records"][0]
    with pytest.raises(BadRequest) as error:
        service.update_records(pat, "CompanyPerson", [{"Gsid": link["Gsid"], "Title": "x"}], "Gsid")
    assert error.value.code == "GSOBJ_1011"
    with pytest.raises(BadRequest) as error:
        upsert.upsert_person(
            pat, PersonUpsert.model_validate({"Email": "a@x.io", "companies": [{"Company_ID": company}]})
        )
    assert error.value.code == "GSOBJ_1004"
    assert service.update_records(admin, "CompanyPerson", [{"Gsid": link["Gsid"], "Title": "x"}], "Gsid")["count"] == 1


def test_one_company_person_per_person_and_company_through_the_api(tenant, admin, company) -> None:
    person = service.insert_records(admin, "Person", [{"Email": "a@x.io"}])["records"][0]["Gsid"]
    pair = {"CompanyId": company, "PersonId": person}
    data = service.insert_records(admin, "CompanyPerson", [pair, {**pair, "Title": "again"}])
    assert data["count"] == 1 and data["errors"][0]["index"] == 1 and data["errors"][0]["errorCode"] == "GS_1409"
    link = data["records"][0]["Gsid"]
    with pytest.raises(BadRequest) as error:
        service.insert_records(admin, "CompanyPerson", [pair])
    assert error.value.code == "GS_1409" and link in error.value.desc
    # The People API finds it by its key: no second record, no GSI read.
    answer = upsert.upsert_person(
        admin, PersonUpsert.model_validate({"Email": "a@x.io", "companies": [{"Company_ID": company}]})
    )
    assert answer["companyPersons"] == [{"Gsid": link, "Company_ID": company, "created": False}]
    assert total(tenant["tenantId"], "CompanyPerson") == 1
