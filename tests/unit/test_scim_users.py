"""SCIM Users (SPEC §8, RFC 7643/7644) through the SCIM functions' handlers, against
in-process moto: answers and errors in SCIM's shape, the mapping onto the users of the
users API (both see the same users), DELETE as deactivation, ETags, bounded reads and
the users API's call budget."""

from __future__ import annotations

import base64
import threading
from typing import Any

import boto3
import pytest

from cscore.auth import service as auth
from cscore.platform import aws, config
from cscore.scim import users as scim_users
from cscore.tenants import service as tenants
from cscore.users import listing
from cscore.users import service as users_api
from tests.unit.scim_client import ScimClient

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


def scim_user(user_name: str, **more: Any) -> dict[str, Any]:
    return {
        "schemas": [USER],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "active": True,
        **more,
    }


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}


@pytest.fixture
def tenant(aws_tables) -> dict[str, str]:
    created = tenants.create_tenant("Scim")
    # Provisioning runs many requests; the users family's 100 an hour is not under test here.
    boto3.client("dynamodb").update_item(
        TableName=config.tenant_table(),
        Key={"PK": {"S": f"T#{created['tenantId']}"}, "SK": {"S": "TENANT"}},
        UpdateExpression="SET limits = :l",
        ExpressionAttributeValues={":l": {"M": {"users": {"M": {"hour": {"N": "100000"}, "day": {"N": "100000"}}}}}},
    )
    return created


@pytest.fixture
def admin(tenant):
    return auth.authenticate({"accesskey": tenant["accessKey"]})


@pytest.fixture
def client(tenant) -> ScimClient:
    return ScimClient(tenant["accessKey"])


def _assert_error(answer: Any, status: int, scim_type: str | None = None) -> None:
    assert answer.status == status, answer.body
    assert answer.headers["Content-Type"] == "application/scim+json"
    assert answer.body["schemas"] == [ERROR] and answer.body["status"] == str(status)
    assert answer.body.get("scimType") == scim_type
    assert answer.body["detail"]


def _listed(admin, user_name: str) -> dict[str, Any]:
    """The user as the users API lists it."""
    query = {
        "select": ["SFDCUserName", "Email", "FirstName", "LastName", "Name", "Title", "IsActiveUser", "Manager"],
        "where": {"conditions": [{"name": "SFDCUserName", "alias": "A", "operator": "EQ", "value": [user_name]}]},
    }
    rows = listing.list_users(admin, query)["users"]
    assert len(rows) == 1
    return rows[0]


def test_discovery(client) -> None:
    config_answer = client.get("/ServiceProviderConfig")
    assert config_answer.status == 200 and config_answer.headers["Content-Type"] == "application/scim+json"
    assert config_answer.body["patch"] == {"supported": True} and config_answer.body["etag"] == {"supported": True}
    types = client.get("/ResourceTypes").body
    assert {r["id"] for r in types["Resources"]} == {"User", "Group"} and types["totalResults"] == 2
    schemas = client.get("/Schemas").body
    assert {s["id"] for s in schemas["Resources"]} == {USER, ENTERPRISE, "urn:ietf:params:scim:schemas:core:2.0:Group"}
    # the product's own base path answers the same
    product_base = ScimClient(client.headers["Authorization"][7:], base="/v1/users/services/scim")
    again = product_base.get("/Schemas").body
    assert [s["attributes"] for s in again["Resources"]] == [s["attributes"] for s in schemas["Resources"]]
    assert again["Resources"][0]["meta"]["location"].endswith(f"/v1/users/services/scim/Schemas/{USER}")
    assert schemas["Resources"][0]["meta"]["location"].endswith(f"/scim/v2/Schemas/{USER}")


def test_create_maps_onto_the_users_api(client, admin) -> None:
    answer = client.post(
        "/Users",
        scim_user(
            "Ada@Example.com",
            title="Countess",
            timezone="Europe/London",
            locale="en-GB",
            externalId="00uAda",
            password="never stored",
        ),
    )
    assert answer.status == 201, answer.body
    body = answer.body
    assert answer.headers["Location"] == body["meta"]["location"] and body["meta"]["location"].endswith(body["id"])
    assert answer.headers["ETag"] == body["meta"]["version"]
    assert body["userName"] == "Ada@Example.com" and body["externalId"] == "00uAda" and body["active"] is True
    assert body["name"] == {"formatted": "Ada Lovelace", "givenName": "Ada", "familyName": "Lovelace"}
    assert body["emails"] == [{"value": "Ada@Example.com", "type": "work", "primary": True}]
    assert (body["title"], body["timezone"], body["locale"]) == ("Countess", "Europe/London", "en-GB")
    assert "password" not in body
    listed = _listed(admin, "ada@example.com")
    assert listed["Gsid"] == body["id"] and listed["Email"] == "Ada@Example.com" and listed["Title"] == "Countess"
    assert listed["Status"] == "Active" and listed["Name"] == "Ada Lovelace"
    assert client.get(f"/Users/{body['id']}").body == body


def test_user_names_are_unique_without_case_across_both_apis(client, admin) -> None:
    assert client.post("/Users", scim_user("ada@x.io")).status == 201
    _assert_error(client.post("/Users", scim_user("ADA@X.IO")), 409, "uniqueness")
    users_api.create_users(admin, {"records": [{"Name": "B", "Email": "b@x.io", "SFDCUserName": "b@x.io"}]})
    _assert_error(client.post("/Users", scim_user("B@x.io")), 409, "uniqueness")


def test_bad_input_is_400_naming_the_attribute(client) -> None:
    _assert_error(client.post("/Users", {"schemas": [USER]}), 400, "invalidValue")
    answer = client.post("/Users", scim_user("not-an-address"))
    _assert_error(answer, 400, "invalidValue")
    assert answer.body["detail"].startswith("userName: ")
    answer = client.post("/Users", scim_user("a@x.io", timezone="Mars/Olympus"))
    assert answer.body["detail"].startswith("timezone: ")
    _assert_error(client.post("/Users", scim_user("a@x.io", active="maybe")), 400, "invalidValue")
    _assert_error(client.get('/Users?filter=userName eq "a" and'), 400, "invalidFilter")
    _assert_error(client.get("/Users?count=many"), 400, "invalidValue")
    _assert_error(client.get("/Users/1P01NOSUCHUSER0000000000000000000000"), 404)
    _assert_error(client.post("/Users", "userName=a", headers={"Content-Type": "text/plain"}), 415)
    answer = client.call("POST", "/Users", None, headers={"Content-Type": "application/scim+json"})
    _assert_error(answer, 400, "invalidValue")


def test_errors_of_the_door_are_in_scim_shape(tenant, admin, aws_tables) -> None:
    _assert_error(ScimClient("nope").get("/Users"), 401)
    created = users_api.create_users(admin, {"records": [{"Name": "C", "Email": "c@x.io", "SFDCUserName": "c@x.io"}]})
    plain, item = auth.access_key_record(tenant["tenantId"], created["records"][0]["Gsid"], False, tenant_key=False)
    aws.dynamodb().put_item(TableName=aws_tables["TenantTable"], Item=item)
    _assert_error(ScimClient(plain).get("/Users"), 403)
    _assert_error(ScimClient(plain, bearer=False).get("/Users"), 403)


def test_an_m2m_token_is_accepted(tenant) -> None:
    tenant_item = tenants.get_tenant(tenant["tenantId"])
    pair = auth.create_oauth_client(tenant_item, tenant_item["superAdminGsid"], True)
    basic = base64.b64encode(f"{pair['clientId']}:{pair['clientSecret']}".encode()).decode()
    token = auth.issue_token(auth.authenticate_client({"Authorization": f"Basic {basic}"}, {}))["access_token"]
    assert ScimClient(token).get("/ServiceProviderConfig").status == 200


def test_delete_deactivates_and_post_reactivates(client, admin) -> None:
    created = client.post("/Users", scim_user("gone@x.io", externalId="e1")).body
    user_id = created["id"]
    assert client.delete(f"/Users/{user_id}").status == 204
    _assert_error(client.get(f"/Users/{user_id}"), 404)
    _assert_error(client.delete(f"/Users/{user_id}"), 404)
    _assert_error(client.patch(f"/Users/{user_id}", patch_body({"op": "replace", "value": {"title": "x"}})), 404)
    assert client.get('/Users?filter=userName eq "gone@x.io"').body["totalResults"] == 0
    assert client.get('/Users?filter=externalId eq "e1"').body["totalResults"] == 0
    assert _listed(admin, "gone@x.io")["Status"] == "Inactive"  # never deleted in the product
    again = client.post("/Users", scim_user("Gone@x.io", title="Back"))
    assert again.status == 201 and again.body["id"] == user_id and again.body["active"] is True
    assert again.body["title"] == "Back" and "externalId" not in again.body
    assert _listed(admin, "gone@x.io")["Status"] == "Active"


def test_activation_through_the_users_api_brings_the_user_back(client, admin) -> None:
    user_id = client.post("/Users", scim_user("back@x.io")).body["id"]
    client.delete(f"/Users/{user_id}")
    users_api.update_status(admin, [user_id], "true")
    assert client.get(f"/Users/{user_id}").body["active"] is True
    client.delete(f"/Users/{user_id}")
    users_api.update_users(admin, {"records": [{"Gsid": user_id, "IsActiveUser": True}]}, "Gsid")
    assert client.get(f"/Users/{user_id}").status == 200


def test_put_replaces_and_if_match_guards(client, admin) -> None:
    created = client.post("/Users", scim_user("put@x.io", title="T", locale="en-US")).body
    path = f"/Users/{created['id']}"
    stale = created["meta"]["version"]
    replaced = client.put(path, scim_user("put2@x.io"), headers={"If-Match": stale})
    assert replaced.status == 200 and replaced.body["userName"] == "put2@x.io"
    assert "title" not in replaced.body and "locale" not in replaced.body  # absent: cleared
    assert replaced.headers["ETag"] != stale
    _assert_error(client.put(path, scim_user("put3@x.io"), headers={"If-Match": stale}), 412)
    _assert_error(client.delete(path, headers={"If-Match": stale}), 412)
    assert client.get(path).body["userName"] == "put2@x.io"
    assert _listed(admin, "put2@x.io")["Title"] is None
    assert client.put(path, scim_user("put3@x.io"), headers={"If-Match": "*"}).status == 200


def test_patch_forms_of_okta_and_entra(client, admin) -> None:
    manager = client.post("/Users", scim_user("boss@x.io")).body["id"]
    user_id = client.post("/Users", scim_user("pat@x.io", externalId="ext-1")).body["id"]
    path = f"/Users/{user_id}"
    # Entra ID: capitalized ops, filtered paths, string booleans, the manager as an id
    answer = client.patch(
        path,
        patch_body(
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "pat.new@x.io"},
            {"op": "Replace", "path": "name.familyName", "value": "Newname"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": manager},
            {"op": "Replace", "path": "active", "value": "False"},
        ),
    )
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["emails"] == [{"value": "pat.new@x.io", "type": "work", "primary": True}]
    assert body["name"]["familyName"] == "Newname" and body["active"] is False
    assert body[ENTERPRISE]["manager"]["value"] == manager
    listed = _listed(admin, "pat@x.io")
    assert (listed["Email"], listed["LastName"], listed["Manager"], listed["Status"]) == (
        "pat.new@x.io",
        "Newname",
        manager,
        "Inactive",
    )
    # Okta: no path, the value's attributes
    answer = client.patch(path, patch_body({"op": "replace", "value": {"active": True, "title": "Lead"}}))
    assert answer.body["active"] is True and answer.body["title"] == "Lead"
    answer = client.patch(path, patch_body({"op": "Remove", "path": f"{ENTERPRISE}:manager"}))
    assert ENTERPRISE not in answer.body and _listed(admin, "pat@x.io")["Manager"] is None
    # Entra ID's lookup by externalId, and the new e-mail through its index
    assert client.get('/Users?filter=externalId eq "ext-1"').body["Resources"][0]["id"] == user_id
    assert client.get('/Users?filter=emails[type eq "work" and value eq "pat.new@x.io"]').body["totalResults"] == 1
    assert client.get('/Users?filter=emails.value eq "pat@x.io"').body["totalResults"] == 0
    _assert_error(client.patch(path, patch_body({"op": "replace", "path": "id", "value": "x"})), 400, "mutability")
    _assert_error(client.patch(path, patch_body({"op": "move", "path": "title"})), 400, "invalidValue")
    _assert_error(client.patch(path, patch_body({"op": "remove", "path": "userName"})), 400, "invalidValue")
    _assert_error(client.patch(path, patch_body({"op": "replace", "path": "emails[type eq]"})), 400, "invalidPath")
    answer = client.patch(path, patch_body({"op": "replace", "path": f"{ENTERPRISE}:manager", "value": user_id}))
    _assert_error(answer, 400, "invalidValue")  # its own manager


def test_lists_page_sort_and_project(client) -> None:
    for name in ("c", "a", "b", "d"):
        client.post("/Users", scim_user(f"{name}@list.io", title=name.upper()))
    page = client.get('/Users?filter=userName ew "@list.io"&sortBy=userName&startIndex=2&count=2').body
    assert page["totalResults"] == 4 and page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert [r["userName"] for r in page["Resources"]] == ["b@list.io", "c@list.io"]
    down = client.get('/Users?filter=title pr and userName co "list"&sortBy=title&sortOrder=descending').body
    assert [r["title"] for r in down["Resources"]] == ["D", "C", "B", "A"]
    projected = client.get('/Users?filter=userName eq "a@list.io"&attributes=userName,name.givenName').body
    assert projected["Resources"][0].keys() == {"schemas", "id", "userName", "name"}
    assert projected["Resources"][0]["name"] == {"givenName": "Ada"}
    excluded = client.get('/Users?filter=userName eq "a@list.io"&excludedAttributes=emails,meta,id').body
    assert "emails" not in excluded["Resources"][0] and "meta" not in excluded["Resources"][0]
    assert "id" in excluded["Resources"][0]  # always returned
    assert client.get("/Users?count=0").body["Resources"] == []
    one = client.get(f"/Users/{projected['Resources'][0]['id']}?attributes=userName").body
    assert one.keys() == {"schemas", "id", "userName"}


def test_equality_filters_read_only_the_matches(client, items_read, dynamodb_calls) -> None:
    for i in range(30):
        client.post("/Users", scim_user(f"u{i}@read.io", externalId=f"x{i}"))
    for text in ('userName eq "u7@read.io"', 'externalId eq "x7"', 'emails.value eq "U7@read.io"'):
        items_read.clear()
        dynamodb_calls.clear()
        answer = client.get(f"/Users?filter={text}")
        assert answer.body["totalResults"] == 1
        # authentication (credential, tenant, user: 3), then the index item and the user
        assert sum(items_read) == 3 + 2, text
        assert dynamodb_calls == ["BatchGetItem", "UpdateItem", "BatchGetItem", "BatchGetItem"], text
    items_read.clear()
    answer = client.get('/Users?filter=userName eq "u1@read.io" or externalId eq "x2" and title pr')
    assert answer.body["totalResults"] == 1 and sum(items_read) == 3 + 4


def test_other_filters_read_along_the_users_list_path_with_its_bound(client, admin, monkeypatch) -> None:
    for i in range(5):
        client.post("/Users", scim_user(f"v{i}@read.io", title="Eng" if i % 2 else "Ops"))
    assert client.get('/Users?filter=title eq "eng"').body["totalResults"] == 2
    monkeypatch.setattr("cscore.objects.candidates.MAX_READ", 3)
    _assert_error(client.get('/Users?filter=title eq "eng"'), 400, "tooMany")


def test_last_modified_ranges_read_that_slice_of_the_index(client, fake_clock, items_read) -> None:
    for i in range(20):
        fake_clock.at += 60
        client.post("/Users", scim_user(f"w{i}@time.io"))
    since = client.get('/Users?filter=userName eq "w15@time.io"').body["Resources"][0]["meta"]["lastModified"]
    items_read.clear()
    answer = client.get(f'/Users?filter=meta.lastModified ge "{since}" and title pr or meta.lastModified ge "{since}"')
    assert answer.body["totalResults"] == 5  # w15..w19 (the or keeps it from being a range: it reads on)
    items_read.clear()
    answer = client.get(f'/Users?filter=meta.lastModified gt "{since}" and active eq true')
    assert [r["userName"] for r in answer.body["Resources"]] == [f"w{i}@time.io" for i in range(16, 20)]
    assert sum(items_read) <= 3 + 5  # authentication, then the slice from w15 on
    before = since.replace(".000Z", "Z")
    answer = client.get(
        f'/Users?filter=meta.lastModified lt "{before}" and meta.lastModified ge "2000-01-01T00:00:00Z"'
    )
    assert answer.body["totalResults"] == 16  # the tenant's first admin and w0..w14


def test_a_create_costs_what_a_users_api_create_of_one_costs(admin, dynamodb_calls) -> None:
    users_api.create_users(admin, {"records": [{"Name": "A B", "Email": "a@c.io", "SFDCUserName": "a@c.io"}]})
    by_users_api = list(dynamodb_calls)
    dynamodb_calls.clear()
    scim_users.create_user(admin, scim_user("b@c.io"), "https://api/scim/v2")
    assert dynamodb_calls == by_users_api == ["BatchGetItem", "TransactWriteItems"]


def test_two_creates_of_one_user_name_one_wins(client, monkeypatch) -> None:
    """Both read the name as free, then both write: one 201, one 409."""
    barrier = threading.Barrier(2, timeout=10)

    def together(model: Any, **_: Any) -> None:
        if getattr(model, "name", "") == "TransactWriteItems":
            barrier.wait()

    aws.dynamodb().meta.events.register("before-call.dynamodb", together)
    answers: list[Any] = []
    threads = [
        threading.Thread(target=lambda: answers.append(client.post("/Users", scim_user("race@x.io")))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    aws.dynamodb().meta.events.unregister("before-call.dynamodb", together)
    assert sorted(a.status for a in answers) == [201, 409]
    _assert_error(next(a for a in answers if a.status == 409), 409, "uniqueness")
    assert client.get('/Users?filter=userName eq "race@x.io"').body["totalResults"] == 1
