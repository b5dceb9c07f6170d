"""Derived mappings' match options (SPEC §4.5, issue 17): ``multiMatchOption`` FIRSTMATCH
(the oldest match) or MARKASERROR, ``onNoMatch`` REJECT (rejected, retried) or NULL —
checked when a job is saved (a 400 naming the mapping and the option), shown in the job
view with the defaults of jobs stored before them, and honoured by the sync writer,
same-object references (ParentId) included."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.companies import service as companies
from cscore.connector import job_definitions as jd
from cscore.connector import jobs
from cscore.connector import mappings as mapping_rules
from cscore.connector import repository as connector_repository
from cscore.connector.models import UpdateJob
from cscore.errors import BadRequest
from cscore.objects import query as objects
from cscore.platform import ids, request_model
from cscore.sync.writers import ERROR, REJECTED, Deferred, PageWriter
from cscore.tenants import service as tenants

CONNECTION = {"connectionId": "1C01" + "C" * 32, "name": "Prod"}


def _oob() -> dict[str, dict[str, Any]]:
    made = jd.out_of_the_box(CONNECTION, lambda: ids.new_gsid(ids.JOB))
    return {job["jobType"]: job for job in made}


def _lookups(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["target"]: m["lookup"] for m in job["mappings"] if "lookup" in m}


# ------------------------------------------------------------------ the rules, pure


def test_out_of_the_box_jobs_spell_out_what_the_sync_always_did() -> None:
    """SPEC §4.5 / §3.3: several matches are an error; a missing company, user, parent or
    manager rejects the row; a missing CSM leaves Csm null. The defaults a job stored
    before the options gets are the same."""
    options = {
        job_type: {t: (lk.get("multiMatchOption"), lk.get("onNoMatch")) for t, lk in _lookups(job).items()}
        for job_type, job in _oob().items()
    }
    assert options == {
        jd.USER_SYNC: {"Manager": ("MARKASERROR", "REJECT")},
        jd.COMPANY_SYNC: {"ParentCompany": ("MARKASERROR", "REJECT"), "Csm": ("MARKASERROR", "NULL")},
        jd.COMPANY_PERSON_SYNC: {"CompanyPerson.CompanyId": ("MARKASERROR", "REJECT")},
        jd.COMPANY_TEAM_SYNC: {
            "CompanyId": ("MARKASERROR", "REJECT"),
            "UserId": ("MARKASERROR", "REJECT"),
            "TeamRole": (None, None),  # a team role is found by label or created
        },
    }
    for job in _oob().values():
        stripped = copy.deepcopy(job["mappings"])
        for mapping in stripped:
            for option in ("multiMatchOption", "onNoMatch"):
                (mapping.get("lookup") or {}).pop(option, None)
        assert mapping_rules.with_match_options(stripped, job["targetObject"]) == job["mappings"]
        assert mapping_rules.check(stripped, job["targetObject"], None) == job["mappings"]


def test_options_are_checked_and_stored_in_upper_case() -> None:
    team = _oob()[jd.COMPANY_TEAM_SYNC]["mappings"]
    edited = copy.deepcopy(team)
    edited[0]["lookup"] |= {"multiMatchOption": "firstMatch"}
    checked = mapping_rules.check(edited, "CompanyTeam", None)
    assert checked[0]["lookup"]["multiMatchOption"] == "FIRSTMATCH" and checked[0]["lookup"]["onNoMatch"] == "REJECT"

    company = _oob()[jd.COMPANY_SYNC]
    edited = copy.deepcopy(company["mappings"])
    parent = next(i for i, m in enumerate(edited) if m["target"] == "ParentCompany")
    edited[parent]["lookup"] |= {"onNoMatch": "null"}
    assert mapping_rules.check(edited, "Company", None)[parent]["lookup"]["onNoMatch"] == "NULL"


@pytest.mark.parametrize(
    "target, option, value, message",
    [
        ("CompanyId", "multiMatchOption", "LASTMATCH", "mappings[0].lookup.multiMatchOption: must be FIRSTMATCH or"),
        ("UserId", "onNoMatch", "ERROR", "mappings[1].lookup.onNoMatch: must be REJECT or NULL, not 'ERROR'"),
        ("UserId", "onNoMatch", None, "mappings[1].lookup.onNoMatch: must be REJECT or NULL, not None"),
        ("CompanyId", "multiMatchOption", 1, "mappings[0].lookup.multiMatchOption: must be"),
        ("UserId", "onNoMatch", "NULL", "mappings[1].lookup.onNoMatch: a CompanyTeam record cannot be written without"),
        ("TeamRole", "onNoMatch", "NULL", "mappings[2].lookup.onNoMatch: a team role is matched by its label"),
        ("TeamRole", "multiMatchOption", "FIRSTMATCH", "mappings[2].lookup.multiMatchOption: a team role"),
    ],
)
def test_a_bad_option_is_refused_naming_the_mapping_and_the_option(
    target: str, option: str, value: Any, message: str
) -> None:
    mappings = copy.deepcopy(_oob()[jd.COMPANY_TEAM_SYNC]["mappings"])
    next(m for m in mappings if m["target"] == target)["lookup"][option] = value
    with pytest.raises(mapping_rules.MappingError) as refused:
        mapping_rules.check(mappings, "CompanyTeam", None)
    assert str(refused.value).startswith(message), refused.value


def test_a_misspelt_option_is_an_unknown_field_of_the_lookup() -> None:
    mappings = copy.deepcopy(_oob()[jd.COMPANY_TEAM_SYNC]["mappings"])
    mappings[1]["lookup"]["onNoMatches"] = "NULL"
    with pytest.raises(mapping_rules.MappingError) as refused:
        mapping_rules.check(mappings, "CompanyTeam", None)
    assert str(refused.value) == (
        "mappings[1].lookup.onNoMatches: unknown field "
        "(allowed: by, createMissing, multiMatchOption, object, onNoMatch)"
    )


def test_a_company_person_needs_its_company() -> None:
    mappings = copy.deepcopy(_oob()[jd.COMPANY_PERSON_SYNC]["mappings"])
    mappings[-1]["lookup"]["onNoMatch"] = "NULL"
    with pytest.raises(mapping_rules.MappingError, match=r"^mappings\[7\]\.lookup\.onNoMatch: a CompanyPerson"):
        mapping_rules.check(mappings, "CompanyPerson", None)


# ------------------------------------------------------------------ the job API


def _admin() -> Principal:
    return auth.authenticate({"accesskey": tenants.create_tenant(f"Match {uuid.uuid4().hex[:6]}")["accessKey"]})


def _stored_team_job(admin: Principal, *, without_options: bool = False) -> dict[str, Any]:
    connection = {**CONNECTION, "connectionId": ids.new_gsid(ids.CONNECTION), "status": "AUTHORIZED"}
    connector_repository.put_connection(admin.tenant_id, connection)
    job = {**jd.out_of_the_box(connection, lambda: ids.new_gsid(ids.JOB))[3], "enabled": True}
    if without_options:  # as stored before the options existed
        for mapping in job["mappings"]:
            for option in ("multiMatchOption", "onNoMatch"):
                (mapping.get("lookup") or {}).pop(option, None)
    connector_repository.put_job(admin.tenant_id, job)
    return job


def test_the_job_api_edits_shows_and_refuses_options(aws_tables) -> None:
    admin = _admin()
    job = _stored_team_job(admin, without_options=True)
    shown = jobs.get_job(admin, job["jobId"])
    assert shown["mappings"][0]["lookup"] == {
        "object": "Company",
        "by": "companyResolution",
        "multiMatchOption": "MARKASERROR",
        "onNoMatch": "REJECT",
    }
    mappings = copy.deepcopy(shown["mappings"])
    mappings[0]["lookup"]["multiMatchOption"] = "FIRSTMATCH"
    edited = jobs.update_job(admin, job["jobId"], request_model.checked(UpdateJob, {"mappings": mappings}))
    assert edited["mappings"][0]["lookup"]["multiMatchOption"] == "FIRSTMATCH"
    stored = connector_repository.get_job(admin.tenant_id, job["jobId"])
    assert stored is not None and stored["mappings"] == mappings
    assert jobs.get_job(admin, job["jobId"])["mappings"] == mappings

    mappings[1]["lookup"]["onNoMatch"] = "SKIP"
    with pytest.raises(BadRequest) as refused:
        jobs.update_job(admin, job["jobId"], request_model.checked(UpdateJob, {"mappings": mappings}))
    assert refused.value.code == "GS_1400"
    assert refused.value.desc.startswith("mappings[1].lookup.onNoMatch: must be REJECT or NULL")
    stored = connector_repository.get_job(admin.tenant_id, job["jobId"])
    assert stored is not None and stored["mappings"][1]["lookup"]["onNoMatch"] == "REJECT"  # nothing written


# ------------------------------------------------------------------ the sync writer


def _company_job(**options: dict[str, str]) -> dict[str, Any]:
    """Company Sync keyed by SfdcAccountId, its lookups' options replaced by ``options``."""
    job = copy.deepcopy(_oob()[jd.COMPANY_SYNC])
    for mapping in job["mappings"]:
        if mapping["target"] in options:
            mapping["lookup"] |= options[mapping["target"]]
    return job


def _team_job(**options: dict[str, str]) -> dict[str, Any]:
    job = copy.deepcopy(_oob()[jd.COMPANY_TEAM_SYNC])
    for mapping in job["mappings"]:
        if mapping["target"] in options:
            mapping["lookup"] |= options[mapping["target"]]
    return job


def _account(n: int, **fields: Any) -> dict[str, Any]:
    return {"Id": f"001{n:015d}", "Name": f"Account {n}", "OwnerId": None, "ParentId": None, **fields}


def _write(tenant_id: str, job: dict[str, Any], rows: list[dict[str, Any]]) -> Any:
    writer = PageWriter(tenant_id, job, CONNECTION, "SYNC")
    result = writer.write(rows)
    writer.flush()
    return writer, result


def _companies(admin: Principal) -> dict[str, dict[str, Any]]:
    body = {"select": ["Gsid", "Name", "SfdcAccountId", "Csm", "ParentCompany"], "limit": 100}
    return {c["Name"]: c for c in objects.query_objects(admin, "Company", body)["records"]}


@pytest.mark.parametrize("on_no_match", ["NULL", "REJECT"])
def test_a_missing_csm_is_null_or_rejects_the_row(aws_tables, on_no_match: str) -> None:
    admin = _admin()
    job = _company_job(Csm={"onNoMatch": on_no_match})
    _, result = _write(admin.tenant_id, job, [_account(1, OwnerId="005000000000000NOPE"), _account(2)])
    outcomes = [(o.source_id, o.outcome, o.retry) for o in result.outcomes]
    written = _companies(admin)
    if on_no_match == "NULL":
        assert outcomes == [] and written["Account 1"].get("Csm") is None
    else:
        assert outcomes == [(_account(1)["Id"], REJECTED, True)] and "Account 1" not in written
        assert "OwnerId 005000000000000NOPE: no User" in result.outcomes[0].reason
    assert "Account 2" in written  # a row without an owner matches nothing and is written either way


@pytest.mark.parametrize("on_no_match", ["NULL", "REJECT"])
def test_a_parent_still_missing_at_the_end_of_the_run_is_cleared_or_rejected(aws_tables, on_no_match: str) -> None:
    admin = _admin()
    job = _company_job(ParentCompany={"onNoMatch": on_no_match})
    _write(admin.tenant_id, job, [_account(1), _account(2, ParentId=_account(1)["Id"])])
    assert _companies(admin)["Account 2"]["ParentCompany"] == _companies(admin)["Account 1"]["Gsid"]

    # The parent moves to an account the platform does not have: deferred to the end of the run.
    writer, result = _write(admin.tenant_id, job, [_account(2, ParentId="001000000000000GONE")])
    assert [(d.target, d.on_no_match) for d in result.deferred] == [("ParentCompany", on_no_match)]
    assert _companies(admin)["Account 2"]["ParentCompany"] is not None  # kept while the run may bring it
    unresolved: list[Deferred] = []
    changed = writer.resolve_references(result.deferred, unresolved, final=True)
    writer.flush()
    parent = _companies(admin)["Account 2"]["ParentCompany"]
    if on_no_match == "NULL":
        assert (changed, unresolved, parent) == (1, [], None)
    else:
        assert changed == 0 and [d.source_id for d in unresolved] == [_account(2)["Id"]] and parent is not None


def test_a_reference_deferred_before_the_options_keeps_rejecting(aws_tables) -> None:
    """Run parts hold deferred references as dicts; one written before the options existed
    reads back with the old behaviour (REJECT)."""
    old = {"source_id": "001X", "target": "ParentCompany", "obj": "Company", "by": "SfdcAccountId", "value": "001Y"}
    assert (Deferred(**old).multi_match, Deferred(**old).on_no_match) == ("MARKASERROR", "REJECT")


@pytest.mark.parametrize("multi_match", ["MARKASERROR", "FIRSTMATCH"])
def test_several_matching_companies_are_an_error_or_the_oldest(aws_tables, multi_match: str) -> None:
    admin = _admin()
    users_job = copy.deepcopy(_oob()[jd.USER_SYNC])
    user = {"Id": "005000000000000AAA", "Username": "ann@x.io", "Email": "ann@x.io", "LastName": "Ann"}
    _write(admin.tenant_id, users_job, [user])
    _write(admin.tenant_id, _company_job(), [_account(1)])
    oldest = _companies(admin)["Account 1"]["Gsid"]
    # A second company claiming the same Salesforce account, entered by hand later.
    companies.insert_companies(admin, [{"Name": "Duplicate", "SfdcAccountId": _account(1)["Id"]}])
    member = {"Id": "01M000000000000AAA", "AccountId": _account(1)["Id"], "UserId": user["Id"]}
    member |= {"TeamMemberRole": "Sales Rep"}
    _, result = _write(admin.tenant_id, _team_job(CompanyId={"multiMatchOption": multi_match}), [member])
    team = objects.query_objects(admin, "CompanyTeam", {"select": ["CompanyId", "UserId"], "limit": 10})["records"]
    if multi_match == "MARKASERROR":
        assert [(o.outcome, o.retry) for o in result.outcomes] == [(ERROR, False)] and team == []
        assert f"AccountId {_account(1)['Id']}: 2 Company records" in result.outcomes[0].reason
    else:
        assert result.outcomes == [] and [t["CompanyId"] for t in team] == [oldest]
