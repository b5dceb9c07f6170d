"""Company Teams (SPEC §4.1, §4.2, §4.4): roles, search, membership, the record API,
who may do what, and the manager chain — against in-process moto."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest
from pydantic import ValidationError

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.catalog import COMPANY_TEAM
from cscore.companies import service as companies
from cscore.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound
from cscore.meta import service as fields
from cscore.meta.models import FieldDefinition
from cscore.objects.bulk import BulkStore
from cscore.picklists import system as system_picklists
from cscore.platform import config, keys, request_model
from cscore.platform import records as stored
from cscore.teams import membership, records, roles, search
from cscore.teams.models import (
    AssignCompanies,
    AssignUsers,
    CreateRole,
    RecordChanges,
    RecordKeys,
    RecordQuery,
    Search,
)
from cscore.tenants import service as tenants
from cscore.users import managers
from cscore.users import service as users
from cslocal.worker import LambdaContext, load_handler
from tests.support import api_event
from tests.unit.conftest import STACK

ACCOUNT_MANAGER = system_picklists.system_item_gsid("TeamRole", "Account Manager")
FUNCTIONS = {f.code_dir.name: f for f in STACK.functions()}


def _failure(call: Any) -> ApiError:
    with pytest.raises(ApiError) as error:
        call()
    return error.value


@pytest.fixture
def tenant(aws_tables) -> dict[str, str]:
    """A tenant whose Company Team has the custom fields these tests write (the record API
    writes defined custom fields only)."""
    created = tenants.create_tenant("Teams")
    admin = auth.authenticate({"accesskey": created["accessKey"]})
    for name, kind in (("Region__gc", "string"), ("Seats__gc", "number"), ("Note__gc", "string"), ("X__gc", "number")):
        fields.add_field(admin, "CompanyTeam", FieldDefinition.model_validate({"name": name, "type": kind}))
    return created


@pytest.fixture
def admin(tenant) -> Principal:
    return auth.authenticate({"accesskey": tenant["accessKey"]})


def _users(admin: Principal, *names: str, manager: str | None = None) -> list[str]:
    recs = []
    for name in names:
        record: dict[str, Any] = {"FirstName": name, "LastName": "Test", "Email": f"{name.lower()}@example.com"}
        record["SFDCUserName"] = record["Email"]
        if manager:
            record["Manager"] = manager
        recs.append(record)
    data = users.create_users(admin, {"records": recs})
    assert data["status"] == "SUCCESS", data
    return [r["Gsid"] for r in data["records"]]


def _companies(admin: Principal, *names: str) -> list[str]:
    data = companies.insert_companies(admin, [{"Name": n, "Industry": "Energy"} for n in names])
    return [r["Gsid"] for r in data["records"]]


def _as(tenant: dict[str, str], user_gsid: str) -> Principal:
    return auth.authenticate({"accesskey": tenants.create_user_key(tenant["tenantId"], user_gsid)})


def _stored_team(admin: Principal, company: str, user: str) -> dict[str, Any] | None:
    store = BulkStore(admin.tenant_id, COMPANY_TEAM.shape, "test")
    return records.find(store, [(company, user)]).get((company, user))


def _set_source(admin: Principal, company: str, user: str, source: str) -> None:
    record = _stored_team(admin, company, user)
    assert record is not None
    boto3.client("dynamodb").update_item(
        TableName=config.tenant_table(),
        Key=COMPANY_TEAM.shape.record_key(admin.tenant_id, f"{company}#{user}"),
        UpdateExpression="SET UserSource = :s",
        ExpressionAttributeValues={":s": {"S": source}},
    )


# ---------------------------------------------------------------- roles


def test_roles_list_and_create(admin) -> None:
    assert roles.list_roles(admin)["roles"] == [{"gsid": ACCOUNT_MANAGER, "label": "Account Manager", "system": True}]
    created = roles.create_role(admin, CreateRole(label=" Renewal Manager "))["role"]
    assert created["label"] == "Renewal Manager" and created["system"] is False
    fresh = auth.authenticate({"accesskey": tenants.regenerate_tenant_key(admin.tenant_id)})
    assert [r["label"] for r in roles.list_roles(fresh)["roles"]] == ["Account Manager", "Renewal Manager"]
    duplicate = _failure(lambda: roles.create_role(fresh, CreateRole(label="renewal manager")))
    assert isinstance(duplicate, Conflict) and duplicate.code == "GS_1409"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": ""}, "label"),
        ({"label": "  "}, "label"),
        ({"label": "x" * 101}, "label"),
        ({}, "label"),
        ({"label": 3}, "label"),
        ({"label": "A", "other": 1}, "other"),
        ([], "body"),
    ],
)
def test_a_bad_role_is_a_400_naming_the_field(tenant, body: Any, field: str) -> None:
    status, answer = _call("teams_roles_create", "POST", "/v1/teams/roles", tenant["accessKey"], body)
    assert (status, answer["errorCode"]) == (400, "GS_1400") and answer["errorDesc"].startswith(field), answer


# ---------------------------------------------------------------- search


def test_search_by_name_or_gsid_with_fields(admin) -> None:
    acme, _, globex = _companies(admin, "Acme Corp", "Initech", "Globex")
    found = search.search(admin, Search(type="company", text="CORP", fields=["Industry"]))
    assert found == {"companies": [{"Gsid": acme, "Name": "Acme Corp", "Industry": "Energy"}]}
    assert search.search(admin, Search(type="company", text=globex))["companies"][0]["Name"] == "Globex"
    (pat,) = _users(admin, "Pat")
    found = search.search(admin, Search(type="user", text="pat t", fields=["LicenseType", "Status"]))
    assert found["users"] == [
        {"Gsid": pat, "Name": "Pat Test", "Email": "pat@example.com", "LicenseType": None, "Status": "Active"}
    ]
    assert search.search(admin, Search(type="user", text="nobody")) == {"users": []}
    error = _failure(lambda: search.search(admin, Search(type="user", text="x", fields=["Nope"])))
    assert isinstance(error, BadRequest) and error.desc.startswith("fields")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "person", "text": "x"}, "type"),
        ({"type": "user", "text": ""}, "text"),
        ({"type": "user", "text": " "}, "text"),
        ({"type": "user", "text": "x" * 256}, "text"),
        ({"type": "user", "text": "x", "fields": "Name"}, "fields"),
        ({"type": "user", "text": "x", "more": 1}, "more"),
    ],
)
def test_a_bad_search_is_a_400_naming_the_field(tenant, body: Any, field: str) -> None:
    status, answer = _call("teams_search", "POST", "/v1/teams/search", tenant["accessKey"], body)
    assert (status, answer["errorCode"]) == (400, "GS_1400") and answer["errorDesc"].startswith(field), answer


def test_search_returns_at_most_50(admin) -> None:
    _companies(admin, *[f"Acme {n:02d}" for n in range(50)])
    _companies(admin, *[f"Acme {n:02d}" for n in range(50, 55)])
    found = search.search(admin, Search(type="company", text="acme"))["companies"]
    assert len(found) == 50 and found[0]["Name"] == "Acme 00"


# ---------------------------------------------------------------- membership


def test_assign_list_and_remove(admin) -> None:
    acme, globex = _companies(admin, "Acme", "Globex")
    ann, bob = _users(admin, "Ann", "Bob")
    role = roles.create_role(admin, CreateRole(label="CSM"))["role"]
    admin = auth.authenticate({"accesskey": tenants.regenerate_tenant_key(admin.tenant_id)})
    data = membership.assign_users(
        admin,
        acme,
        AssignUsers.model_validate(
            {"records": [{"UserId": ann}, {"UserId": bob, "TeamRole": "csm", "UserAccess": "admin"}]}
        ),
    )
    assert data["count"] == 2 and data["errors"] is None
    first, second = data["records"]
    assert first["TeamRole"] == "Account Manager" and first["UserAccess"] == "Member"
    assert first["UserSource"] == "Manual" and first["UserName"] == "Ann Test" and first["CompanyName"] == "Acme"
    assert second["TeamRole"] == "CSM" and second["UserAccess"] == "Admin"
    stored_bob = _stored_team(admin, acme, bob)
    assert stored_bob is not None and stored_bob["TeamRole"] == role["gsid"]

    members = membership.company_members(admin, acme)["members"]
    assert [m["UserId"] for m in members] == [ann, bob]
    member = members[0]
    for name in ("Gsid", "CompanyId", "UserId", "UserName", "UserEmail", "TeamRole", "UserAccess", "UserSource"):
        assert name in member
    assert {f"UserManagerRole{k}" for k in (1, 2, 3)} <= set(member)

    data = membership.assign_companies(
        admin, ann, AssignCompanies.model_validate({"records": [{"CompanyId": globex, "UserAccess": "Member"}]})
    )
    assert data["count"] == 1
    assert [c["CompanyName"] for c in membership.user_companies(admin, ann)["companies"]] == ["Acme", "Globex"]

    # Re-assigning changes role and access of the existing record (one record per pair).
    membership.assign_users(
        admin, acme, AssignUsers.model_validate({"records": [{"UserId": ann, "UserAccess": "Admin"}]})
    )
    assert len(membership.company_members(admin, acme)["members"]) == 2
    assert (_stored_team(admin, acme, ann) or {})["UserAccess"] == "Admin"
    assert (_stored_team(admin, acme, ann) or {})["Gsid"] == first["Gsid"]
    # A record's own Gsid as a lookup path is the record itself (records are keyed by pair).
    query = {"select": ["Gsid", "Gsid__gr.UserId"], "where": {"conditions": [
        {"name": "CompanyId", "alias": "A", "operator": "EQ", "value": [acme]}]}}  # fmt: skip
    listed = records.list_records(admin, RecordQuery.model_validate(query))["records"]
    assert sorted(r["Gsid__gr.UserId"] for r in listed) == sorted([ann, bob])

    removed = membership.remove_member(admin, acme, ann)
    assert removed["count"] == 1
    assert _stored_team(admin, acme, ann) is None and _stored_team(admin, globex, ann) is not None
    assert isinstance(_failure(lambda: membership.remove_member(admin, acme, ann)), NotFound)
    assert stored.by_gsids(admin.tenant_id, "User", [ann])  # the user stays


def test_only_existing_companies_and_users(admin, aws_tables) -> None:
    (acme,) = _companies(admin, "Acme")
    (ann,) = _users(admin, "Ann")
    other = tenants.create_tenant("Other")
    other_admin = auth.authenticate({"accesskey": other["accessKey"]})
    (stranger,) = _users(other_admin, "Stranger")
    data = membership.assign_users(
        admin,
        acme,
        AssignUsers.model_validate(
            {"records": [{"UserId": ann}, {"UserId": stranger}, {"UserId": "nope"}, {"UserId": ann}]}
        ),
    )
    assert data["count"] == 1
    assert [(e["index"], e["errorCode"]) for e in data["errors"]] == [(1, "GS_1400"), (2, "GS_1400"), (3, "GS_1400")]
    assert "no user" in data["errors"][0]["errorMessage"]
    error = _failure(
        lambda: membership.assign_users(admin, acme, AssignUsers.model_validate({"records": [{"UserId": stranger}]}))
    )
    assert isinstance(error, BadRequest) and error.data["count"] == 0
    missing = "1P02" + "0" * 32
    assert isinstance(
        _failure(
            lambda: membership.assign_users(admin, missing, AssignUsers.model_validate({"records": [{"UserId": ann}]}))
        ),
        NotFound,
    )
    assert isinstance(_failure(lambda: membership.company_members(admin, missing)), NotFound)
    for shape, field in (
        ({"records": [{"UserId": ann}] * 51}, "records"),
        ({"records": [{"UserId": ann, "UserAccess": "Owner"}]}, "records[0].UserAccess"),
    ):
        with pytest.raises(ValidationError) as refused:
            AssignUsers.model_validate(shape)
        assert request_model.describe(refused.value.errors()).startswith(f"{field}: ")
    error = _failure(
        lambda: membership.assign_users(
            admin, acme, AssignUsers.model_validate({"records": [{"UserId": ann, "TeamRole": "Chief"}]})
        )
    )
    assert "TeamRole" in error.desc


# ---------------------------------------------------------------- who may do what


def test_team_admin_manages_members_of_its_teams_only(tenant, admin) -> None:
    acme, globex = _companies(admin, "Acme", "Globex")
    lead, ann, bob, cleo = _users(admin, "Lead", "Ann", "Bob", "Cleo")
    membership.assign_users(
        admin,
        acme,
        AssignUsers.model_validate(
            {"records": [{"UserId": lead, "UserAccess": "Admin"}, {"UserId": cleo, "UserAccess": "Admin"}]}
        ),
    )
    team_admin = _as(tenant, lead)

    # Adds and removes Members of its team.
    data = membership.assign_users(team_admin, acme, AssignUsers.model_validate({"records": [{"UserId": ann}]}))
    assert data["count"] == 1 and data["records"][0]["UserAccess"] == "Member"
    assert len(membership.company_members(team_admin, acme)["members"]) == 3
    membership.assign_users(
        team_admin, acme, AssignUsers.model_validate({"records": [{"UserId": ann, "TeamRole": "Account Manager"}]})
    )
    assert membership.remove_member(team_admin, acme, ann)["count"] == 1

    # Cannot create, edit or remove a team admin.
    error = _failure(
        lambda: membership.assign_users(
            team_admin, acme, AssignUsers.model_validate({"records": [{"UserId": bob, "UserAccess": "Admin"}]})
        )
    )
    assert isinstance(error, Forbidden) and error.code == "GS_1403"
    error = _failure(
        lambda: membership.assign_users(
            team_admin, acme, AssignUsers.model_validate({"records": [{"UserId": cleo, "UserAccess": "Member"}]})
        )
    )
    assert isinstance(error, Forbidden)
    assert isinstance(_failure(lambda: membership.remove_member(team_admin, acme, cleo)), Forbidden)
    assert isinstance(
        _failure(
            lambda: records.delete_records(
                team_admin, RecordKeys.model_validate({"records": [{"CompanyId": acme, "UserId": cleo}]})
            )
        ),
        Forbidden,
    )

    # Cannot touch another team.
    assert isinstance(
        _failure(
            lambda: membership.assign_users(
                team_admin, globex, AssignUsers.model_validate({"records": [{"UserId": bob}]})
            )
        ),
        Forbidden,
    )
    assert isinstance(_failure(lambda: membership.company_members(team_admin, globex)), Forbidden)
    data = _failure(
        lambda: membership.assign_companies(
            team_admin, bob, AssignCompanies.model_validate({"records": [{"CompanyId": globex}]})
        )
    )
    assert isinstance(data, Forbidden)
    mixed = membership.assign_companies(
        team_admin, bob, AssignCompanies.model_validate({"records": [{"CompanyId": acme}, {"CompanyId": globex}]})
    )
    assert mixed["count"] == 1 and mixed["errors"][0]["errorCode"] == "GS_1403"

    # Search: any user, the companies it administers.
    assert [c["Name"] for c in search.search(team_admin, Search(type="company", text="glob"))["companies"]] == []
    assert [c["Name"] for c in search.search(team_admin, Search(type="company", text="acme"))["companies"]] == ["Acme"]

    # A user with no team to administer may do nothing.
    nobody = _as(tenant, bob)
    for call in (
        lambda: membership.company_members(nobody, acme),
        lambda: membership.assign_users(nobody, acme, AssignUsers.model_validate({"records": [{"UserId": ann}]})),
        lambda: membership.user_companies(nobody, bob),
        lambda: search.search(nobody, Search(type="user", text="a")),
        lambda: records.list_records(nobody, RecordQuery.model_validate({"select": ["Gsid"]})),
        lambda: records.update_records(
            nobody, RecordChanges.model_validate({"records": [{"CompanyId": acme, "UserId": bob, "X__gc": 1}]})
        ),
    ):
        assert isinstance(_failure(call), Forbidden)

    # The super admin can make and unmake team admins.
    membership.assign_users(
        admin, acme, AssignUsers.model_validate({"records": [{"UserId": bob, "UserAccess": "Admin"}]})
    )
    assert membership.remove_member(admin, acme, cleo)["count"] == 1


# ---------------------------------------------------------------- record API


def test_record_api_updates_custom_fields_only(tenant, admin) -> None:
    acme, globex = _companies(admin, "Acme", "Globex")
    lead, ann, bob = _users(admin, "Lead", "Ann", "Bob")
    membership.assign_users(
        admin,
        acme,
        AssignUsers.model_validate(
            {"records": [{"UserId": lead, "UserAccess": "Admin"}, {"UserId": ann}, {"UserId": bob}]}
        ),
    )
    membership.assign_users(admin, globex, AssignUsers.model_validate({"records": [{"UserId": ann}]}))
    data = records.update_records(
        admin,
        RecordChanges.model_validate(
            {
                "records": [
                    {"CompanyId": acme, "UserId": ann, "Region__gc": "EMEA", "Seats__gc": 3},
                    {"CompanyId": acme, "UserId": bob, "TeamRole": "Account Manager"},
                    {"CompanyId": acme, "UserId": bob, "UserAccess": "Admin"},
                    {"CompanyId": globex, "UserId": bob, "Region__gc": "US"},
                    {"CompanyId": acme, "UserId": lead, "Nope": 1},
                ]
            }
        ),
    )
    assert data["count"] == 1 and data["records"][0]["Region__gc"] == "EMEA" and data["records"][0]["Seats__gc"] == 3
    errors = {e["index"]: e for e in data["errors"]}
    assert "standard field" in errors[1]["errorMessage"] and errors[1]["errorCode"] == "GS_1400"
    assert errors[2]["errorCode"] == "GS_1400"  # the same key twice
    assert errors[3]["errorCode"] == "GS_1404" and errors[4]["errorMessage"] == "Nope is not a field of CompanyTeam"
    assert errors[4]["errorCode"] == "GSOBJ_1002"
    assert (_stored_team(admin, acme, ann) or {})["Region__gc"] == "EMEA"

    # A team admin edits custom fields of its team's Members, not of a team admin.
    team_admin = _as(tenant, lead)
    assert (
        records.update_records(
            team_admin, RecordChanges.model_validate({"records": [{"CompanyId": acme, "UserId": bob, "Note__gc": "x"}]})
        )["count"]
        == 1
    )
    error = _failure(
        lambda: records.update_records(
            team_admin,
            RecordChanges.model_validate({"records": [{"CompanyId": acme, "UserId": lead, "Note__gc": "x"}]}),
        )
    )
    assert isinstance(error, Forbidden)
    error = _failure(
        lambda: records.update_records(
            team_admin,
            RecordChanges.model_validate({"records": [{"CompanyId": globex, "UserId": ann, "Note__gc": "x"}]}),
        )
    )
    assert isinstance(error, Forbidden)

    # Listing: the query language; a team admin sees its teams' records only.
    query = {"select": ["CompanyId", "UserId", "TeamRole"], "orderBy": {"UserId": "asc"}, "limit": 10}
    assert len(records.list_records(admin, RecordQuery.model_validate(query))["records"]) == 4
    mine = records.list_records(team_admin, RecordQuery.model_validate(json.loads(json.dumps(query))))["records"]
    assert {r["CompanyId"] for r in mine} == {acme} and mine[0]["TeamRole"] == "Account Manager"
    by_role = {
        "select": ["UserId"],
        "where": {
            "conditions": [{"name": "TeamRole", "alias": "A", "operator": "EQ", "value": ["Account Manager"]}],
            "expression": "A",
        },
    }
    assert len(records.list_records(team_admin, RecordQuery.model_validate(by_role))["records"]) == 3

    # Bulk delete.
    data = records.delete_records(
        team_admin,
        RecordKeys.model_validate(
            {"records": [{"CompanyId": acme, "UserId": bob}, {"CompanyId": acme, "UserId": lead}]}
        ),
    )
    assert data["count"] == 1 and data["errors"][0]["errorCode"] == "GS_1403"
    assert _stored_team(admin, acme, bob) is None


def test_salesforce_records_belong_to_the_sync(admin) -> None:
    (acme,) = _companies(admin, "Acme")
    ann, bob = _users(admin, "Ann", "Bob")
    membership.assign_users(admin, acme, AssignUsers.model_validate({"records": [{"UserId": ann}, {"UserId": bob}]}))
    _set_source(admin, acme, ann, "Salesforce")
    error = _failure(
        lambda: records.update_records(
            admin, RecordChanges.model_validate({"records": [{"CompanyId": acme, "UserId": ann, "X__gc": 1}]})
        )
    )
    assert isinstance(error, Conflict) and error.code == "GS_1409" and "Salesforce sync" in error.desc
    error = _failure(
        lambda: records.delete_records(
            admin, RecordKeys.model_validate({"records": [{"CompanyId": acme, "UserId": ann}]})
        )
    )
    assert isinstance(error, Conflict)
    error = _failure(
        lambda: membership.assign_users(
            admin, acme, AssignUsers.model_validate({"records": [{"UserId": ann, "TeamRole": "Account Manager"}]})
        )
    )
    assert isinstance(error, Conflict)
    assert isinstance(_failure(lambda: membership.remove_member(admin, acme, ann)), Conflict)
    partial = records.delete_records(
        admin,
        RecordKeys.model_validate(
            {"records": [{"CompanyId": acme, "UserId": ann}, {"CompanyId": acme, "UserId": bob}]}
        ),
    )
    assert partial["count"] == 1 and partial["errors"][0]["errorCode"] == "GS_1409"
    assert _stored_team(admin, acme, ann) is not None


def test_disabled_company_teams_answer_409(admin) -> None:
    boto3.client("dynamodb").update_item(
        TableName=config.tenant_table(),
        Key=keys.tenant(admin.tenant_id),
        UpdateExpression="SET companyTeamsEnabled = :f",
        ExpressionAttributeValues={":f": {"BOOL": False}},
    )
    off = auth.authenticate({"accesskey": tenants.regenerate_tenant_key(admin.tenant_id)})
    company = "1P02" + "0" * 32
    for call in (
        lambda: roles.list_roles(off),
        lambda: roles.create_role(off, CreateRole(label="X")),
        lambda: search.search(off, Search(type="user", text="a")),
        lambda: membership.company_members(off, company),
        lambda: membership.assign_users(
            off, company, AssignUsers.model_validate({"records": [{"UserId": off.user_gsid}]})
        ),
        lambda: membership.remove_member(off, company, off.user_gsid),
        lambda: membership.user_companies(off, off.user_gsid),
        lambda: membership.assign_companies(
            off, off.user_gsid, AssignCompanies.model_validate({"records": [{"CompanyId": company}]})
        ),
        lambda: records.update_records(
            off,
            RecordChanges.model_validate({"records": [{"CompanyId": company, "UserId": off.user_gsid, "X__gc": 1}]}),
        ),
        lambda: records.list_records(off, RecordQuery.model_validate({"select": ["Gsid"]})),
        lambda: records.delete_records(
            off, RecordKeys.model_validate({"records": [{"CompanyId": company, "UserId": off.user_gsid}]})
        ),
    ):
        error = _failure(call)
        assert isinstance(error, Conflict) and error.desc == "Company Teams are disabled"


# ---------------------------------------------------------------- manager chain


def test_manager_chain_is_set_and_kept_current(admin) -> None:
    (acme,) = _companies(admin, "Acme")
    (top,) = _users(admin, "Top")
    (vp,) = _users(admin, "Vp", manager=top)
    (boss,) = _users(admin, "Boss", manager=vp)
    (mid,) = _users(admin, "Mid", manager=boss)
    (ann,) = _users(admin, "Ann", manager=mid)
    (other,) = _users(admin, "Other")
    membership.assign_users(
        admin, acme, AssignUsers.model_validate({"records": [{"UserId": ann}, {"UserId": mid}, {"UserId": vp}]})
    )

    def chain(user: str) -> tuple[Any, ...]:
        record = _stored_team(admin, acme, user) or {}
        return tuple(record.get(f"UserManagerRole{k}") for k in (1, 2, 3))

    assert chain(ann) == (mid, boss, vp) and chain(mid) == (boss, vp, top) and chain(vp) == (top, None, None)

    # Boss gets a new manager: Boss's reports down to two levels change, nobody else.
    data = users.update_users(admin, {"records": [{"Gsid": boss, "Manager": other}]}, "Gsid")
    assert data["status"] == "SUCCESS"
    assert chain(ann) == (mid, boss, other) and chain(mid) == (boss, other, None) and chain(vp) == (top, None, None)

    # Mid's manager is cleared.
    users.update_users(admin, {"records": [{"Gsid": mid, "Manager": None}]}, "Gsid")
    assert chain(ann) == (mid, None, None) and chain(mid) == (None, None, None)


def test_refresh_costs_constant_calls_per_page_of_records(admin, dynamodb_calls) -> None:
    names = [f"Co {n:02d}" for n in range(30)]
    company_ids = _companies(admin, *names)
    (boss,) = _users(admin, "Boss")
    (ann,) = _users(admin, "Ann", manager=boss)
    membership.assign_companies(
        admin, ann, AssignCompanies.model_validate({"records": [{"CompanyId": c} for c in company_ids]})
    )
    (new_boss,) = _users(admin, "NewBoss")
    boto3.client("dynamodb").update_item(
        TableName=config.tenant_table(),
        Key=keys.user(admin.tenant_id, boss),
        UpdateExpression="SET Manager = :m",
        ExpressionAttributeValues={":m": {"S": new_boss}},
    )
    dynamodb_calls.clear()
    assert managers.refresh_for_users(admin.tenant_id, [boss]) == 30
    # No user listing: the changed user's own records (one index query), the records where it
    # is level 1 or 2 (Manager1/Manager2 index items), the records and members' chains in
    # BatchGetItem calls of 100 keys, writes 25 a call (index items as conditional updates).
    assert dynamodb_calls.count("Query") == 1 and dynamodb_calls.count("BatchGetItem") <= 8
    writes = dynamodb_calls.count("BatchWriteItem") + dynamodb_calls.count("TransactWriteItems")
    assert writes <= 4 and set(dynamodb_calls) <= {"Query", "BatchGetItem", "BatchWriteItem", "TransactWriteItems"}
    assert managers.refresh_for_users(admin.tenant_id, [boss]) == 0  # unchanged records are not written


def test_refresh_of_records_written_by_a_sync(admin) -> None:
    (acme,) = _companies(admin, "Acme")
    (boss,) = _users(admin, "Boss")
    (ann,) = _users(admin, "Ann", manager=boss)
    store = BulkStore(admin.tenant_id, COMPANY_TEAM.shape, "SYNC")
    (written,) = store.upsert(
        [(None, {"CompanyId": acme, "UserId": ann, "UserSource": "Salesforce", "UserAccess": "Member"})]
    )
    store.flush()
    assert COMPANY_TEAM.shape.record_ref(written) == f"{acme}#{ann}"
    assert managers.refresh_for_users(admin.tenant_id, [], "SYNC", [f"{acme}#{ann}"]) == 1
    assert (_stored_team(admin, acme, ann) or {})["UserManagerRole1"] == boss


# ---------------------------------------------------------------- through the handlers


def _call(name: str, method: str, path: str, access_key: str, body: Any = None, params: Any = None) -> tuple[int, dict]:
    event = api_event(method, path, access_key, body, params)
    function = FUNCTIONS[name]
    handler = load_handler(function.code_dir, function.handler, f"unit_teams_{name}")
    response = handler(event, LambdaContext(function.name, 512, function.arn, str(uuid.uuid4()), 10_000))
    return response["statusCode"], json.loads(response["body"])


def test_handlers_answer_the_envelope(tenant, admin) -> None:
    (acme,) = _companies(admin, "Acme")
    (ann,) = _users(admin, "Ann")
    key = tenant["accessKey"]
    status, body = _call("teams_roles_get", "GET", "/v1/teams/roles", key)
    assert status == 200 and body["data"]["roles"][0]["label"] == "Account Manager"
    path = f"/v1/teams/companies/{acme}/members"
    status, body = _call("teams_members_assign", "POST", path, key, {"records": [{"UserId": ann}]}, {"companyId": acme})
    assert status == 200 and body["data"]["count"] == 1
    status, body = _call("teams_members_get", "GET", path, key, params={"companyId": acme})
    assert status == 200 and body["data"]["members"][0]["UserId"] == ann
    _set_source(admin, acme, ann, "Salesforce")
    status, body = _call(
        "teams_records_delete",
        "POST",
        "/v1/teams/records/delete",
        key,
        {"records": [{"CompanyId": acme, "UserId": ann}]},
    )
    assert status == 409 and body["errorCode"] == "GS_1409" and body["data"]["errors"][0]["index"] == 0
    user_key = tenants.create_user_key(tenant["tenantId"], ann)
    status, body = _call("teams_roles_get", "GET", "/v1/teams/roles", user_key)
    assert status == 403 and body["errorCode"] == "GS_1403"
    status, body = _call("teams_members_get", "GET", path, user_key, params={"companyId": acme})
    assert status == 403
    status, body = _call("teams_records_list", "POST", "/v1/teams/records/list", key, {"select": ["Nope"]})
    assert status == 400 and body["errorCode"] == "GSOBJ_1002"


def test_custom_fields_are_checked_on_every_write_path_with_the_company_codes(admin) -> None:
    """An undefined __gc field or a value of the wrong type: the Company data API's code,
    naming the field, on both assignment paths and the record API (SPEC §4b)."""
    acme, globex = _companies(admin, "Acme", "Globex")
    (ann,) = _users(admin, "Ann")
    bad = [({"Undefined__gc": "x"}, "GSOBJ_1002", "Undefined__gc"), ({"Seats__gc": "many"}, "GSOBJ_1002", "Seats__gc")]
    for extra, code, field in bad:
        to_users = AssignUsers.model_validate({"records": [{"UserId": ann, **extra}]})
        error = _failure(lambda body=to_users: membership.assign_users(admin, acme, body))
        assert (error.status, error.code) == (400, code) and field in error.desc, error.desc
        to_companies = AssignCompanies.model_validate({"records": [{"CompanyId": acme, **extra}]})
        error = _failure(lambda body=to_companies: membership.assign_companies(admin, ann, body))
        assert (error.status, error.code) == (400, code) and field in error.desc, error.desc
    assert _stored_team(admin, acme, ann) is None

    membership.assign_users(admin, globex, AssignUsers.model_validate({"records": [{"UserId": ann, "Seats__gc": 2}]}))
    for extra, code, field in bad:
        change = RecordChanges.model_validate({"records": [{"CompanyId": globex, "UserId": ann, **extra}]})
        error = _failure(lambda body=change: records.update_records(admin, body))
        assert error.data["errors"][0]["errorCode"] == code and field in error.data["errors"][0]["errorMessage"]
    assert (_stored_team(admin, globex, ann) or {})["Seats__gc"] == 2
