"""SCIM Groups = permission bundles (SPEC §8): both APIs see the same bundles on the same
users, whichever assigned them, through renames and deletes."""

from __future__ import annotations

from typing import Any

import pytest

from cscore.platform import records
from cscore.users import service as users_api
from tests.unit.scim_client import ScimClient
from tests.unit.test_scim_users import PATCH, _assert_error, admin, client, scim_user, tenant  # noqa: F401
from tests.unit.test_users_write import _run_worker

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


def _bundles(admin, gsid: str) -> list[str]:  # noqa: F811
    return list(records.by_gsids(admin.tenant_id, "User", [gsid])[gsid].get("permissionBundles") or [])


def _group(client: ScimClient, name: str, members: list[str] | None = None) -> dict[str, Any]:  # noqa: F811
    answer = client.post(
        "/Groups", {"schemas": [GROUP], "displayName": name, "members": [{"value": m} for m in members or []]}
    )
    assert answer.status == 201, answer.body
    return answer.body


def _members(client: ScimClient, group_id: str) -> list[str]:  # noqa: F811
    return sorted(m["value"] for m in client.get(f"/Groups/{group_id}").body.get("members") or [])


def test_membership_is_the_users_bundles_both_ways(client, admin) -> None:  # noqa: F811
    ada = client.post("/Users", scim_user("ada@g.io")).body["id"]
    bob = client.post("/Users", scim_user("bob@g.io")).body["id"]
    _run_worker()  # DEFAULT_BUNDLE, as for every created user
    sales = _group(client, "Sales", [ada])
    assert _bundles(admin, ada) == ["DEFAULT_BUNDLE", "Sales"]
    # the users API assigns the bundle to another user: the group has it as a member
    users_api.update_users(admin, {"records": [{"Gsid": bob, "permissionBundles": ["Sales"]}]}, "Gsid")
    _run_worker()
    assert _members(client, sales["id"]) == sorted([ada, bob])
    assert client.get(f"/Users/{bob}").body["groups"] == [{"value": sales["id"], "display": "Sales", "type": "direct"}]
    # and takes it away (overwrite)
    body = {"records": [{"Gsid": ada, "permissionBundles": ["DEFAULT_BUNDLE"]}], "permissionBundleAction": "overwrite"}
    users_api.update_users(admin, body, "Gsid")
    _run_worker()
    assert _members(client, sales["id"]) == [bob]
    # a rename follows on every member; the users API then knows the new name only
    client.patch(
        f"/Groups/{sales['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "displayName", "value": "Sales EMEA"}]},
    )
    assert _bundles(admin, bob) == ["DEFAULT_BUNDLE", "Sales EMEA"]
    unknown = users_api.create_users(
        admin,
        {"records": [{"Name": "C", "Email": "c@g.io", "SFDCUserName": "c@g.io", "permissionBundles": ["Sales EMEA"]}]},
    )
    assert unknown["success"] is True
    with pytest.raises(Exception, match="Bulk user create failed"):
        users_api.create_users(
            admin,
            {"records": [{"Name": "D", "Email": "d@g.io", "SFDCUserName": "d@g.io", "permissionBundles": ["Sales"]}]},
        )
    _run_worker()
    carol = unknown["records"][0]["Gsid"]
    assert _members(client, sales["id"]) == sorted([bob, carol])
    # PUT sets exactly these members
    replaced = client.put(
        f"/Groups/{sales['id']}", {"schemas": [GROUP], "displayName": "Sales EMEA", "members": [{"value": ada}]}
    )
    assert replaced.status == 200 and [m["value"] for m in replaced.body["members"]] == [ada]
    assert "Sales EMEA" not in _bundles(admin, bob) and "Sales EMEA" in _bundles(admin, ada)
    # delete: every member loses it
    assert client.delete(f"/Groups/{sales['id']}").status == 204
    assert _bundles(admin, ada) == ["DEFAULT_BUNDLE"]
    _assert_error(client.get(f"/Groups/{sales['id']}"), 404)


def test_group_errors(client) -> None:  # noqa: F811
    _assert_error(client.post("/Groups", {"schemas": [GROUP]}), 400, "invalidValue")
    _group(client, "Ops")
    _assert_error(client.post("/Groups", {"schemas": [GROUP], "displayName": "Ops"}), 409, "uniqueness")
    _assert_error(client.post("/Groups", {"schemas": [GROUP], "displayName": "DEFAULT_BUNDLE"}), 409, "uniqueness")
    answer = client.post("/Groups", {"schemas": [GROUP], "displayName": "X", "members": [{"value": "1P01NOBODY"}]})
    _assert_error(answer, 400, "invalidValue")
    assert "members: no user 1P01NOBODY" in answer.body["detail"]
    _assert_error(client.get("/Groups/DEFAULT_BUNDLE"), 404)
    names = [g["displayName"] for g in client.get("/Groups").body["Resources"]]
    assert names == ["Ops"]  # the system bundle is no group
    other = _group(client, "Other")
    rename = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "displayName", "value": "Ops"}]}
    _assert_error(client.patch(f"/Groups/{other['id']}", rename), 409, "uniqueness")
    stale = other["meta"]["version"]
    rename["Operations"][0]["value"] = "Other 2"
    assert client.patch(f"/Groups/{other['id']}", rename, headers={"If-Match": stale}).status == 200
    _assert_error(client.patch(f"/Groups/{other['id']}", rename, headers={"If-Match": stale}), 412)
    _assert_error(
        client.patch(
            f"/Groups/{other['id']}",
            {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "id", "value": "x"}]},
        ),
        400,
        "mutability",
    )


def test_a_group_of_more_members_than_a_transaction_holds(client, admin) -> None:  # noqa: F811
    gsids = []
    for i in range(120):
        gsids.append(client.post("/Users", scim_user(f"m{i}@big.io")).body["id"])
    group = _group(client, "Big", gsids)
    assert _members(client, group["id"]) == sorted(gsids)
    client.patch(
        f"/Groups/{group['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "displayName", "value": "Bigger"}]},
    )
    assert all(_bundles(admin, g) == ["Bigger"] for g in gsids)
    assert client.delete(f"/Groups/{group['id']}").status == 204
    assert all(_bundles(admin, g) == [] for g in gsids)
