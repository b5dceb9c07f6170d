"""Which job owns a record (issue 13, point 2): the sync's store records the job that
created a record, updates keep it, no API shows it; the rule of what a job may delete."""

from __future__ import annotations

import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.catalog import SHAPES
from cscore.companies import service as companies
from cscore.connector import job_definitions as jd
from cscore.objects.bulk import BulkStore
from cscore.platform import keys, records, table
from cscore.sync import ownership
from cscore.tenants import service as tenants


@pytest.fixture
def admin(aws_tables) -> Principal:
    return auth.authenticate({"accesskey": tenants.create_tenant("Owners")["accessKey"]})


def _store(admin: Principal, owner: str | None) -> BulkStore:
    return BulkStore(admin.tenant_id, SHAPES["Company"], admin.user_gsid, owner=owner)


def test_a_record_remembers_the_job_that_created_it(admin: Principal) -> None:
    first = _store(admin, "JOB-A")
    (company,) = first.upsert([(None, {"Name": "Acme", "SfdcAccountId": "001A"})])
    first.flush()
    gsid = company["Gsid"]
    assert keys.SYNC_OWNER not in company  # what callers see is the record's fields
    stored = table.read_one(keys.record(admin.tenant_id, "Company", gsid))
    assert stored is not None and stored[keys.SYNC_OWNER] == "JOB-A"
    assert keys.SYNC_OWNER not in records.by_gsids(admin.tenant_id, "Company", [gsid])[gsid]

    # Another job updates it, then the Company API does: the creator stays.
    second = _store(admin, "JOB-B")
    found = second.find("SfdcAccountId", ["001A"])["001a"]
    before = second.records(found)[gsid]
    assert second.owner_of(before) == "JOB-A"
    second.upsert([(before, {"Name": "Acme Corp"})])
    second.flush()
    companies.update_companies(admin, [{"Gsid": gsid, "Industry": "Energy"}], "Gsid")
    stored = table.read_one(keys.record(admin.tenant_id, "Company", gsid))
    assert stored is not None and stored["Name"] == "Acme Corp" and stored["Industry"] == "Energy"
    assert stored[keys.SYNC_OWNER] == "JOB-A"

    # Written by no job (the API): no owner.
    (manual,) = companies.insert_companies(admin, [{"Name": "Manual"}])["records"]
    third = _store(admin, None)
    assert third.owner_of(third.records([manual["Gsid"]])[manual["Gsid"]]) is None


JOBS = {"OOB-CS": "Account", "CUSTOM-ACC": "Account", "CUSTOM-PARTNER": "Partner__c", "OOB-CPS": "Contact"}
COMPANY_SYNC = {"jobId": "OOB-CS", "jobType": jd.COMPANY_SYNC, "sourceObject": "Account"}
CUSTOM = {"jobId": "CUSTOM-ACC", "jobType": jd.CUSTOM, "sourceObject": "Account"}
TEAM_SYNC = {"jobId": "OOB-CTS", "jobType": jd.COMPANY_TEAM_SYNC, "sourceObject": "AccountTeamMember"}


@pytest.mark.parametrize(
    ("job", "owner", "allowed"),
    [
        (COMPANY_SYNC, "OOB-CS", True),  # its own
        (COMPANY_SYNC, None, True),  # entered by hand or synced before owners: the OOB job of its source
        (COMPANY_SYNC, "CUSTOM-ACC", True),  # a custom job reading Account: the same source rows
        (COMPANY_SYNC, "CUSTOM-PARTNER", False),  # another source's ids are not Accounts
        (CUSTOM, "CUSTOM-ACC", True),
        (CUSTOM, "OOB-CS", False),  # never another job's
        (CUSTOM, None, False),  # nor what no job created
    ],
)
def test_what_a_job_may_delete(job: dict[str, str], owner: str | None, allowed: bool) -> None:
    assert ownership.may_delete(job, {"Name": "x"}, owner, JOBS) is allowed


def test_rows_entered_by_hand_are_never_the_syncs() -> None:
    assert not ownership.may_delete(TEAM_SYNC, {"UserSource": "Manual"}, None, JOBS)
    assert ownership.may_delete(TEAM_SYNC, {"UserSource": "Salesforce"}, None, JOBS)
