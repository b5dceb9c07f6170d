"""The request sequences Okta's and Microsoft Entra ID's SCIM provisioning send (as their
SCIM documentation describes them: Okta's "SCIM 2.0 provisioning" user and group push
flows, Entra ID's "Develop a SCIM endpoint" validator requests), replayed against the
SCIM functions; every answer's status and body is checked. Entra ID's sample userNames
are opaque strings; here they are UPNs (user@domain), what a tenant's users have and
what SFDCUserName requires."""

from __future__ import annotations

from typing import Any

from tests.unit.test_scim_users import ENTERPRISE, ERROR, PATCH, USER, _listed, admin, client, tenant  # noqa: F401

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


def _empty_list(body: dict[str, Any]) -> None:
    assert body["schemas"] == [LIST] and body["totalResults"] == 0 and body["Resources"] == []


def test_okta_user_lifecycle_and_group_push(client, admin) -> None:  # noqa: F811
    # 1. Okta looks the user up by userName before it creates it
    answer = client.get('/Users?filter=userName eq "test.user@okta.local"&startIndex=1&count=100')
    assert answer.status == 200 and answer.headers["Content-Type"] == "application/scim+json"
    _empty_list(answer.body)
    # 2. create, with Okta's password and empty groups (neither is stored)
    created = client.post(
        "/Users",
        {
            "schemas": [USER],
            "userName": "test.user@okta.local",
            "name": {"givenName": "Test", "familyName": "User"},
            "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work"}],
            "displayName": "Test User",
            "locale": "en-US",
            "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [],
            "password": "1mz050nq",
            "active": True,
        },
    )
    assert created.status == 201
    user = created.body
    assert user["schemas"] == [USER] and user["userName"] == "test.user@okta.local" and user["active"] is True
    assert user["name"] == {"formatted": "Test User", "givenName": "Test", "familyName": "User"}
    assert user["externalId"] == "00ujl29u0le5T6Aj10h7" and user["locale"] == "en-US"
    assert user["meta"]["resourceType"] == "User" and "password" not in user
    user_id = user["id"]
    # 3. read back, and found by userName
    assert client.get(f"/Users/{user_id}").body == user
    found = client.get('/Users?filter=userName eq "test.user@okta.local"&startIndex=1&count=100').body
    assert found["totalResults"] == 1 and found["itemsPerPage"] == 1 and found["Resources"] == [user]
    # 4. profile update (Okta sends the whole user with PUT)
    updated = client.put(
        f"/Users/{user_id}",
        {**user, "name": {"givenName": "Another", "familyName": "User"}, "displayName": "Another User"},
    )
    assert updated.status == 200
    assert updated.body["name"] == {"formatted": "Another User", "givenName": "Another", "familyName": "User"}
    # 5. deactivate, then reactivate: PATCH replace without a path
    off = client.patch(
        f"/Users/{user_id}", {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}
    )
    assert off.status == 200 and off.body["active"] is False
    assert _listed(admin, "test.user@okta.local")["Status"] == "Inactive"
    on = client.patch(
        f"/Users/{user_id}", {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]}
    )
    assert on.status == 200 and on.body["active"] is True

    # Group push: look up, create, rename, add and remove a member, delete
    _empty_list(client.get('/Groups?filter=displayName eq "Test SCIMv2"&startIndex=1&count=100').body)
    group = client.post("/Groups", {"schemas": [GROUP], "displayName": "Test SCIMv2", "members": []})
    assert group.status == 201 and group.body["displayName"] == "Test SCIMv2" and group.body["members"] == []
    assert group.headers["Location"].endswith(f"/Groups/{group.body['id']}")
    group_id = group.body["id"]
    assert client.get(f"/Groups/{group_id}").body == group.body
    renamed = client.patch(
        f"/Groups/{group_id}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "value": {"id": group_id, "displayName": "Test SCIMv2 Renamed"}}],
        },
    )
    assert (
        renamed.status == 200
        and renamed.body["displayName"] == "Test SCIMv2 Renamed"
        and renamed.body["id"] == group_id
    )
    added = client.patch(
        f"/Groups/{group_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": user_id, "display": "test.user@okta.local"}]}
            ],
        },
    )
    assert added.status == 200 and [m["value"] for m in added.body["members"]] == [user_id]
    assert client.get(f"/Users/{user_id}").body["groups"] == [
        {"value": group_id, "display": "Test SCIMv2 Renamed", "type": "direct"}
    ]
    removed = client.patch(
        f"/Groups/{group_id}",
        {"schemas": [PATCH], "Operations": [{"op": "remove", "path": f'members[value eq "{user_id}"]'}]},
    )
    assert removed.status == 200 and removed.body["members"] == []
    assert "groups" not in client.get(f"/Users/{user_id}").body
    assert client.delete(f"/Groups/{group_id}").status == 204
    assert client.get(f"/Groups/{group_id}").status == 404
    _empty_list(client.get('/Groups?filter=displayName eq "Test SCIMv2 Renamed"').body)


def test_entra_id_user_and_group_provisioning(client, admin) -> None:  # noqa: F811
    user_name = "Test_User_ab6490ee@contoso.com"
    manager = client.post("/Users", {"schemas": [USER], "userName": "manager@contoso.com", "active": True}).body["id"]
    # 1. the lookup before the create
    _empty_list(client.get(f'/Users?filter=userName eq "{user_name}"').body)
    # 2. create, with the enterprise extension, meta and roles Entra ID sends along
    created = client.post(
        "/Users",
        {
            "schemas": [USER, ENTERPRISE],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": user_name,
            "active": True,
            "emails": [{"primary": True, "type": "work", "value": "Test_User_fd0ea19b@testuser.com"}],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
            "roles": [],
            ENTERPRISE: {"department": "Sales"},
        },
    )
    assert created.status == 201
    body = created.body
    assert body["userName"] == user_name and body["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert body["emails"] == [{"value": "Test_User_fd0ea19b@testuser.com", "type": "work", "primary": True}]
    user_id = body["id"]
    # 3. a duplicate create is 409 uniqueness
    duplicate = client.post("/Users", {"schemas": [USER], "userName": user_name.upper(), "active": True})
    assert (
        duplicate.status == 409 and duplicate.body["schemas"] == [ERROR] and duplicate.body["scimType"] == "uniqueness"
    )
    # 4. lookups by userName and by externalId; an unknown one is an empty list, an unknown id 404
    assert client.get(f'/Users?filter=userName eq "{user_name}"').body["Resources"] == [body]
    by_external = client.get('/Users?filter=externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"').body
    assert [r["id"] for r in by_external["Resources"]] == [user_id]
    _empty_list(client.get('/Users?filter=userName eq "non-existent@contoso.com"').body)
    missing = client.get("/Users/1P01NONEXISTENT000000000000000000000")
    assert missing.status == 404 and missing.body == {
        "schemas": [ERROR],
        "status": "404",
        "detail": "Resource 1P01NONEXISTENT000000000000000000000 not found",
    }
    # 5. attribute updates with filtered paths and capitalized ops
    patched = client.patch(
        f"/Users/{user_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "updatedEmail@microsoft.com"},
                {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            ],
        },
    )
    assert patched.status == 200
    assert patched.body["emails"][0]["value"] == "updatedEmail@microsoft.com"
    assert patched.body["name"]["familyName"] == "updatedFamilyName"
    # Entra ID also sends an e-mail change as Add on the filtered path
    added_email = client.patch(
        f"/Users/{user_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "path": "title", "value": "tester"},
                {"op": "Add", "path": 'emails[type eq "work"].value', "value": "second@microsoft.com"},
            ],
        },
    )
    assert added_email.status == 200 and added_email.body["title"] == "tester"
    assert added_email.body["emails"] == [{"value": "second@microsoft.com", "type": "work", "primary": True}]
    assert _listed(admin, user_name)["Email"] == "second@microsoft.com"
    # 6. the manager, as a bare id, added then removed
    with_manager = client.patch(
        f"/Users/{user_id}",
        {"schemas": [PATCH], "Operations": [{"op": "Add", "path": f"{ENTERPRISE}:manager", "value": manager}]},
    )
    assert with_manager.body[ENTERPRISE]["manager"]["value"] == manager
    assert _listed(admin, user_name)["Manager"] == manager
    without = client.patch(
        f"/Users/{user_id}", {"schemas": [PATCH], "Operations": [{"op": "Remove", "path": f"{ENTERPRISE}:manager"}]}
    )
    assert ENTERPRISE not in without.body and _listed(admin, user_name)["Manager"] is None
    # 7. disable with a string boolean
    disabled = client.patch(
        f"/Users/{user_id}", {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]}
    )
    assert disabled.status == 200 and disabled.body["active"] is False

    # Groups: create, look up without members, rename, add and remove a member, delete
    group = client.post(
        "/Groups",
        {
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "displayName",
            "meta": {"resourceType": "Group"},
            "schemas": [GROUP],
        },
    )
    assert group.status == 201 and group.body["externalId"] == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"
    group_id = group.body["id"]
    looked_up = client.get('/Groups?excludedAttributes=members&filter=displayName eq "displayName"').body
    assert looked_up["totalResults"] == 1 and "members" not in looked_up["Resources"][0]
    assert looked_up["Resources"][0]["id"] == group_id
    renamed = client.patch(
        f"/Groups/{group_id}",
        {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "displayName", "value": "updatedDisplayName"}]},
    )
    assert renamed.status == 200 and renamed.body["displayName"] == "updatedDisplayName"
    added = client.patch(
        f"/Groups/{group_id}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Add", "path": "members", "value": [{"$ref": None, "value": user_id}]}],
        },
    )
    assert [m["value"] for m in added.body["members"]] == [user_id]
    removed = client.patch(
        f"/Groups/{group_id}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Remove", "path": "members", "value": [{"$ref": None, "value": user_id}]}],
        },
    )
    assert removed.body["members"] == []
    assert client.delete(f"/Groups/{group_id}").status == 204
    # 8. delete the user: 204, then 404 for SCIM; the product keeps it, inactive
    assert client.delete(f"/Users/{user_id}").status == 204
    assert client.get(f"/Users/{user_id}").status == 404
    assert _listed(admin, user_name)["Status"] == "Inactive"
