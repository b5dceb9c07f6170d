"""The users API and SCIM agree on every user after any mix of calls (issue 19): random
sequences of SCIM creates, PUTs, PATCHes (Okta's and Entra ID's forms) and DELETEs and
users API creates, updates and status changes on a few user names; then every user reads
the same through both doors, and SCIM hides exactly the users deleted through SCIM and
not activated since."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscore.errors import ApiError
from cscore.users import listing
from cscore.users import service as users_api
from tests.unit.scim_client import ScimClient
from tests.unit.test_scim_users import PATCH, USER, admin, client, tenant  # noqa: F401

NAMES = 2
TITLES = st.sampled_from([None, "Eng", "Ops"])
OPERATIONS = st.one_of(
    st.tuples(st.just("scim_create"), st.integers(0, NAMES - 1), TITLES, st.booleans()),
    st.tuples(st.just("scim_put"), st.integers(0, NAMES - 1), TITLES, st.booleans()),
    st.tuples(st.just("scim_active"), st.integers(0, NAMES - 1), st.sampled_from(["False", "True", False, True])),
    st.tuples(st.just("scim_title"), st.integers(0, NAMES - 1), TITLES),
    st.tuples(st.just("scim_delete"), st.integers(0, NAMES - 1)),
    st.tuples(st.just("api_create"), st.integers(0, NAMES - 1), TITLES),
    st.tuples(st.just("api_update"), st.integers(0, NAMES - 1), TITLES, st.none() | st.booleans()),
    st.tuples(st.just("api_status"), st.integers(0, NAMES - 1), st.booleans()),
)


class Model:
    """Which users exist (by name index, their GSID) and which SCIM hides."""

    def __init__(self) -> None:
        self.gsids: dict[int, str] = {}
        self.hidden: set[int] = set()


def _row(admin: Any, user_name: str) -> dict[str, Any] | None:  # noqa: F811
    query = {
        "select": ["SFDCUserName", "Email", "FirstName", "LastName", "Title", "IsActiveUser"],
        "where": {"conditions": [{"name": "SFDCUserName", "alias": "A", "operator": "EQ", "value": [user_name]}]},
    }
    rows = listing.list_users(admin, query)["users"]
    return rows[0] if rows else None


def _apply(step: tuple[Any, ...], names: list[str], model: Model, client: ScimClient, admin: Any) -> None:  # noqa: F811
    kind, index = step[0], step[1]
    name, gsid = names[index], model.gsids.get(index)
    if kind in ("scim_create", "scim_put"):
        body = {"schemas": [USER], "userName": name, "active": step[3], "name": {"givenName": "G", "familyName": "F"}}
        if step[2]:
            body["title"] = step[2]
        if kind == "scim_create":
            answer = client.post("/Users", body)
            if answer.status == 201:
                model.gsids[index] = answer.body["id"]
                model.hidden.discard(index)
        elif gsid:
            client.put(f"/Users/{gsid}", body)
    elif kind in ("scim_active", "scim_title") and gsid:
        value = {"active": step[2]} if kind == "scim_active" else {"title": step[2]}
        client.patch(f"/Users/{gsid}", {"schemas": [PATCH], "Operations": [{"op": "Replace", "value": value}]})
    elif kind == "scim_delete" and gsid:
        if client.delete(f"/Users/{gsid}").status == 204:
            model.hidden.add(index)
    elif kind == "api_create":
        record = {"Name": "N", "Email": name, "SFDCUserName": name, "Title": step[2]}
        with contextlib.suppress(ApiError):  # the name is taken
            model.gsids[index] = users_api.create_users(admin, {"records": [record]})["records"][0]["Gsid"]
    elif kind == "api_update" and gsid:
        record: dict[str, Any] = {"Gsid": gsid, "Title": step[2]}
        if step[3] is not None:
            record["IsActiveUser"] = step[3]
        users_api.update_users(admin, {"records": [record]}, "Gsid")
        if step[3] is True:
            model.hidden.discard(index)
    elif kind == "api_status" and gsid:
        users_api.update_status(admin, [gsid], "true" if step[2] else "false")
        if step[2]:
            model.hidden.discard(index)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(OPERATIONS, min_size=6, max_size=16))
def test_both_doors_show_the_same_users(steps: list[tuple[Any, ...]], client, admin) -> None:  # noqa: F811
    run = uuid.uuid4().hex[:8]
    names = [f"u{i}.{run}@agree.io" for i in range(NAMES)]
    model = Model()
    for step in steps:
        _apply(step, names, model, client, admin)
    for index, name in enumerate(names):
        row = _row(admin, name)
        assert (row is None) == (index not in model.gsids)
        if row is None:
            continue
        answer = client.get(f"/Users/{row['Gsid']}")
        listed = client.get(f'/Users?filter=userName eq "{name}"').body["Resources"]
        if index in model.hidden:
            assert answer.status == 404 and listed == [] and row["Status"] == "Inactive"
            continue
        assert answer.status == 200 and listed == [answer.body]
        user = answer.body
        assert user["id"] == row["Gsid"] and user["userName"] == row["SFDCUserName"]
        assert user["active"] is (row["Status"] == "Active")
        assert user.get("title") == row["Title"]
        assert user["emails"][0]["value"] == row["Email"]
        assert user.get("name", {}).get("givenName") == row["FirstName"]
