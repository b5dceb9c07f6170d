"""Bulk CSV imports into Company Team (SPEC §4.5(3)) against in-process moto: job
definitions, every row outcome, the errors file, files refused with nothing written,
and imports cut into invocations at random chunk boundaries (property test)."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.bulkload import definitions, imports, repository, storage, worker
from cscore.bulkload import loader as loader_module
from cscore.bulkload.models import CreateBulkJob
from cscore.catalog import COMPANY_TEAM
from cscore.companies import service as companies
from cscore.errors import ApiError, BadRequest, Conflict, NotFound, PayloadTooLarge
from cscore.objects.bulk import BulkStore
from cscore.objects.bulk import calls as bulk_calls
from cscore.objects.bulk import writer as bulk_writer
from cscore.picklists import system as system_picklists
from cscore.platform import aws, config, records, request_model
from cscore.teams import membership, roles
from cscore.teams import records as team_records
from cscore.teams.models import AssignUsers, CreateRole
from cscore.tenants import service as tenants
from cscore.users import service as users
from tests.support import TEAM_CSV_HEADER, team_bulk_job

ACCOUNT_MANAGER = system_picklists.system_item_gsid("TeamRole", "Account Manager")
HEADER = TEAM_CSV_HEADER
FOREVER = lambda: 10**9  # noqa: E731 - an invocation with all the time in the world


_job_body = team_bulk_job


def _create_job(principal: Principal, body: Any) -> dict[str, Any]:
    """A bulk job from a request body, as its endpoint takes it (shape, then meaning)."""
    return definitions.create_job(principal, request_model.checked(CreateBulkJob, body))


def _failure(call: Any) -> ApiError:
    with pytest.raises(ApiError) as error:
        call()
    return error.value


class World:
    """A tenant with companies and users to load teams into."""

    def __init__(self, company_names: list[str], user_names: list[str]) -> None:
        tenant = tenants.create_tenant(f"Bulk {uuid.uuid4().hex[:6]}")
        self.key = tenant["accessKey"]
        self.admin = auth.authenticate({"accesskey": self.key})
        data = companies.insert_companies(self.admin, [{"Name": n} for n in company_names])
        self.companies = {n: r["Gsid"] for n, r in zip(company_names, data["records"], strict=True)}
        created = users.create_users(
            self.admin,
            {
                "records": [
                    {
                        "FirstName": n,
                        "LastName": "Test",
                        "Email": f"{n.lower()}@example.com",
                        "SFDCUserName": f"{n}@x.y",
                    }
                    for n in user_names
                ]
            },
        )
        assert created["status"] == "SUCCESS", created
        self.users = {n: r["Gsid"] for n, r in zip(user_names, created["records"], strict=True)}
        self.job = _create_job(self.admin, _job_body())

    def refresh(self) -> Principal:
        """The admin as a new request sees it (the tenant item read again: roles, fields)."""
        self.admin = auth.authenticate({"accesskey": self.key})
        return self.admin

    def team(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Every Company Team record, by (company name, user name)."""
        company_of = {g: n for n, g in self.companies.items()}
        user_of = {g: n for n, g in self.users.items()}
        pairs = [(c, u) for c in self.companies.values() for u in self.users.values()]
        found = team_records.find(BulkStore(self.admin.tenant_id, COMPANY_TEAM.shape, "t"), pairs)
        return {(company_of[c], user_of[u]): record for (c, u), record in found.items()}

    def upload(self, data: bytes, job_id: str | None = None) -> str:
        return imports.start(self.admin, _multipart(data, job_id or self.job["jobId"]))["statusId"]

    def run(self, status_id: str) -> dict[str, Any]:
        key = storage.import_key(self.admin.tenant_id, status_id)
        assert worker.on_s3_object(config.bulk_bucket_name(), key, FOREVER) == "done"
        return imports.status(self.admin, status_id)


def _multipart(data: bytes, job_id: str, filename: str = "teams.csv") -> dict[str, Any]:
    boundary = "----cs" + uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="jobId"\r\n\r\n{job_id}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return {
        "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode()


@pytest.fixture
def world(aws_tables: dict[str, str]) -> World:
    return World(["Acme", "Globex", "Initech", "Twin", "Twin "], ["Ann", "Bob", "Cy"])


# ---------------------------------------------------------------- definitions


@pytest.mark.parametrize(
    ("changes", "code", "names"),
    [
        ({"objectName": "Opportunity"}, "GS_1400", "objectName"),
        ({"fieldMappings": {"Removed": "Deleted"}}, "GS_1400", "Removed"),
        ({"fieldMappings": {"Deleted": "Colour"}}, "GS_1400", "Colour"),
        ({"fieldMappings": {"Email ID": "TeamRole"}}, "GS_1400", "Deleted"),
        ({"keys": ["CompanyId"]}, "GS_1400", "keys"),
        ({"headers": ["A", "a"]}, "GS_1400", "twice"),
        ({"name": ""}, "GS_1400", "name"),
        ({"extra": 1}, "GS_1400", "extra"),
        ({"lookups": {"CompanyId": {"fields": {"Nope": "Name"}, "objectName": "Company", "lookupField": "Gsid"}}},
         "GU_2407", "Nope"),
        ({"lookups": {"CompanyId": {"fields": {"Company Name": "Name", "Email ID": "SfdcAccountId"},
                                    "objectName": "Company", "lookupField": "Gsid"}}}, "GU_2406", "one identifier"),
        ({"lookups": {"CompanyId": {"fields": {"Company Name": "Name"}, "objectName": "Account",
                                    "lookupField": "Gsid"}}}, "GU_2403", "Account"),
        ({"lookups": {"CompanyId": {"fields": {"Company Name": "Industry"}, "objectName": "Company",
                                    "lookupField": "Gsid"}}}, "GU_2406", "Industry"),
        ({"lookups": {"Owner": {"fields": {"Company Name": "Name"}, "objectName": "Company",
                                "lookupField": "Gsid"}}}, "GSOBJ_RLS005", "Owner"),
        ({"lookups": {"UserId": {"fields": {"Email ID": "Email"}, "objectName": "User", "lookupField": "Gsid",
                                 "onNoMatch": "NULLABLE"}}}, "GS_1400", "onNoMatch"),
        ({"lookups": {}}, "GS_1400", "CompanyId"),
    ],
)  # fmt: skip
def test_a_definition_naming_unknown_headers_or_fields_is_refused(world: World, changes, code, names) -> None:
    error = _failure(lambda: _create_job(world.admin, _job_body(**changes)))
    assert isinstance(error, BadRequest) and error.code == code and names in error.desc, (error.code, error.desc)


def test_a_definition_is_stored_with_its_defaults(world: World) -> None:
    job = world.job
    assert job["jobId"].startswith("1C04") and job["keys"] == ["CompanyId", "UserId"]
    assert job["lookups"]["UserId"]["multiMatchOption"] == "FIRSTMATCH"  # SPEC §2.2's default
    assert job["lookups"]["UserId"]["onNoMatch"] == "ERROR"  # a key field: a row without it is rejected
    assert definitions.job_of(world.admin.tenant_id, job["jobId"]) == job


# ---------------------------------------------------------------- row outcomes


def test_every_row_outcome_is_applied_counted_and_reported(world: World) -> None:
    admin, co, us = world.admin, world.companies, world.users
    role = roles.create_role(admin, CreateRole(label="Renewals"))["role"]["gsid"]
    admin = world.refresh()
    membership.assign_users(
        admin, co["Acme"], AssignUsers.model_validate({"records": [{"UserId": us["Bob"], "TeamRole": "Renewals"}]})
    )
    membership.assign_users(admin, co["Globex"], AssignUsers.model_validate({"records": [{"UserId": us["Ann"]}]}))
    membership.assign_users(admin, co["Initech"], AssignUsers.model_validate({"records": [{"UserId": us["Cy"]}]}))
    _make_salesforce_owned(world, co["Initech"], us["Cy"])
    data = _csv(
        [
            ["Acme", "ann@example.com", "false"],  # inserted
            ["Globex", "BOB@example.com", ""],  # inserted (an empty Deleted upserts; e-mails match any case)
            ["Acme", "bob@example.com", "FALSE"],  # unchanged: nothing to set
            ["Globex", "ann@example.com", "true"],  # deleted
            ["Initech", "ann@example.com", "true"],  # skipped: not a member
            ["Nowhere Ltd", "ann@example.com", "false"],  # rejected: unknown company
            ["Acme", "nobody@example.com", "false"],  # rejected: unknown user
            ["Twin", "ann@example.com", "false"],  # rejected: two companies named Twin
            ["Initech", "cy@example.com", "true"],  # rejected: owned by the Salesforce sync
            ["Acme", "cy@example.com", "maybe"],  # rejected: Deleted is no boolean
            ["Acme", "cy@example.com"],  # rejected: a cell short
        ]
    )
    status_id = world.upload(data)
    assert imports.status(admin, status_id)["status"] == "INIT"
    status = world.run(status_id)
    assert status | {"createdDate": None, "completedDate": None} == {
        "statusId": status_id,
        "jobId": world.job["jobId"],
        "status": "COMPLETED",
        "reason": None,
        "total": 11,
        "processed": 11,
        "success": 5,
        "failed": 6,
        "createdDate": None,
        "completedDate": None,
        "inserted": 2,
        "updated": 0,
        "unchanged": 1,
        "deleted": 1,
        "skipped": 1,
        "rejected": 6,
    }
    assert status["completedDate"] >= status["createdDate"]
    team = world.team()
    assert set(team) == {("Acme", "Ann"), ("Acme", "Bob"), ("Globex", "Bob"), ("Initech", "Cy")}
    ann = team[("Acme", "Ann")]
    assert (ann["TeamRole"], ann["UserAccess"], ann["UserSource"]) == (ACCOUNT_MANAGER, "Admin", "Manual")
    assert team[("Acme", "Bob")]["TeamRole"] == role  # untouched: the file has no TeamRole column

    text, url = imports.errors(admin, status_id)
    assert url is None and text is not None
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [*HEADER, "reason"]
    reasons = {(r[0], r[1]): r[3] for r in rows[1:]}
    assert len(rows) == 7
    assert "no Company matches Name = 'Nowhere Ltd'" in reasons[("Nowhere Ltd", "ann@example.com")]
    assert "no User matches Email = 'nobody@example.com'" in reasons[("Acme", "nobody@example.com")]
    assert "2 Company records match" in reasons[("Twin", "ann@example.com")]
    assert "Salesforce" in reasons[("Initech", "cy@example.com")]
    assert "Deleted" in reasons[("Acme", "cy@example.com")] or "cells" in reasons[("Acme", "cy@example.com")]


def _make_salesforce_owned(world: World, company: str, user: str) -> None:
    """What the Company Team Sync leaves: a record with UserSource Salesforce."""
    store = BulkStore(world.admin.tenant_id, COMPANY_TEAM.shape, "sync")
    record = team_records.find(store, [(company, user)])[(company, user)]
    assert store.upsert([(record, {"UserSource": "Salesforce"})])
    store.flush()


def test_columns_for_role_access_and_custom_fields(world: World) -> None:
    admin, co, us = world.admin, world.companies, world.users
    from cscore.meta import service as meta
    from cscore.meta.models import FieldDefinition

    meta.add_field(admin, "CompanyTeam", FieldDefinition.model_validate({"name": "Tier__gc", "type": "number"}))
    roles.create_role(admin, CreateRole(label="Renewals"))
    fresh = world.refresh()
    header = ["Company", "Email", "Deleted", "Role", "Access", "Tier"]
    body = _job_body(
        headers=header,
        fieldMappings={"Deleted": "Deleted", "Role": "TeamRole", "Access": "UserAccess", "Tier": "Tier__gc"},
        lookups={
            "CompanyId": {"fields": {"Company": "Name"}, "objectName": "Company", "lookupField": "Gsid"},
            "UserId": {"fields": {"Email": "Email"}, "objectName": "User", "lookupField": "Gsid"},
        },
    )
    job = _create_job(fresh, body)
    membership.assign_users(admin, co["Acme"], AssignUsers.model_validate({"records": [{"UserId": us["Bob"]}]}))
    data = _csv(
        [
            ["Acme", "ann@example.com", "", "renewals", "member", "3"],
            ["Acme", "bob@example.com", "false", "Renewals", "Admin", ""],
            ["Globex", "ann@example.com", "", "Nope", "", ""],
            ["Globex", "bob@example.com", "", "", "", "three"],
        ],
        header,
    )
    status = world.run(world.upload(data, job["jobId"]))
    assert (status["inserted"], status["updated"], status["rejected"]) == (1, 1, 2)
    team = world.team()
    assert team[("Acme", "Ann")]["UserAccess"] == "Member" and team[("Acme", "Ann")]["Tier__gc"] == 3
    assert team[("Acme", "Bob")]["UserAccess"] == "Admin"
    text, _ = imports.errors(admin, status["statusId"])
    assert "TeamRole: 'Nope'" in text and "Tier__gc" in text


def test_custom_field_cells_are_rejected_with_the_fields_code(world: World) -> None:
    """The codes of every custom field write path (meta.fields.PROBLEM_CODES) in the
    rejected row's reason; an undefined custom field is refused when the job is defined."""
    from cscore.meta import service as meta
    from cscore.meta.models import FieldDefinition

    for name, kind in (("Note__gc", "string"), ("Since__gc", "date"), ("Vip__gc", "boolean"), ("Tier__gc", "number")):
        meta.add_field(world.admin, "CompanyTeam", FieldDefinition.model_validate({"name": name, "type": kind}))
    fresh = world.refresh()
    header = ["Company", "Email", "Deleted", "Note", "Since", "Vip", "Tier"]
    lookups = {
        "CompanyId": {"fields": {"Company": "Name"}, "objectName": "Company", "lookupField": "Gsid"},
        "UserId": {"fields": {"Email": "Email"}, "objectName": "User", "lookupField": "Gsid"},
    }
    mappings = {"Deleted": "Deleted", "Note": "Note__gc", "Since": "Since__gc", "Vip": "Vip__gc", "Tier": "Tier__gc"}
    undefined = _job_body(headers=header, fieldMappings=mappings | {"Tier": "Rank__gc"}, lookups=lookups)
    refused = _failure(lambda: _create_job(fresh, undefined))
    assert isinstance(refused, BadRequest) and refused.desc.startswith("fieldMappings.Tier: Rank__gc is not a field")
    job = _create_job(fresh, _job_body(headers=header, fieldMappings=mappings, lookups=lookups))
    data = _csv(
        [
            ["Acme", "ann@example.com", "", "x" * 256, "", "", ""],
            ["Acme", "bob@example.com", "", "", "2027-02-30", "", ""],
            ["Globex", "ann@example.com", "", "", "", "maybe", ""],
            ["Globex", "bob@example.com", "", "", "", "", "three"],
            ["Acme", "ann@example.com", "", "ok", "2027-02-28", "Yes", "3"],
        ],
        header,
    )
    status = world.run(world.upload(data, job["jobId"]))
    assert (status["inserted"], status["rejected"]) == (1, 4), status
    assert world.team()[("Acme", "Ann")]["Vip__gc"] is True
    text, _ = imports.errors(fresh, status["statusId"])
    reasons = [row["reason"] for row in csv.DictReader(io.StringIO(text))]
    assert reasons == [
        "Note__gc: longer than 255 characters (GSOBJ_1001)",
        "Since__gc: '2027-02-30' is not a date (yyyy-MM-dd) (GSOBJ_1005)",
        "Vip__gc: must be true or false (GSOBJ_1002)",
        "Tier__gc: 'three' is not a number (GSOBJ_1002)",
    ]


def test_a_key_repeated_in_one_file_is_applied_in_file_order(world: World, monkeypatch) -> None:
    monkeypatch.setattr(worker, "CHUNK_ROWS", 4)
    rows = [["Acme", "ann@example.com", "false"], ["Acme", "ann@example.com", "true"], ["Acme", "ann@example.com", ""]]
    status = world.run(world.upload(_csv(rows * 2)))
    # insert, delete, insert, then unchanged (already there), delete, insert
    assert (status["inserted"], status["deleted"], status["unchanged"], status["rejected"]) == (3, 2, 1, 0)
    assert set(world.team()) == {("Acme", "Ann")}


# ---------------------------------------------------------------- files refused


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a CSV file"),
        (b"Company Name,Email ID\nAcme,ann@example.com\n", "Deleted"),
        (b'Company Name,Email ID,Deleted\n"Acme,ann@example.com,false\n', "line 2"),
    ],
)
def test_a_file_that_is_not_csv_or_lacks_a_column_is_refused_with_nothing_written(world: World, data, says) -> None:
    before = _connector_items(world)
    error = _failure(lambda: world.upload(data))
    assert isinstance(error, BadRequest) and error.code == "GS_1400" and says in error.desc, error.desc
    assert _connector_items(world) == before
    assert _bucket_keys() == []


def test_a_file_over_4_mb_is_refused_on_the_direct_path(world: World) -> None:
    big = _csv([["Acme", "ann@example.com", "false"]] * 160_000)
    assert len(big) > imports.MAX_DIRECT_BYTES
    error = _failure(lambda: world.upload(big))
    assert isinstance(error, PayloadTooLarge) and "upload-url" in error.desc
    assert _bucket_keys() == []


def _connector_items(world: World) -> int:
    return len(boto3.client("dynamodb").scan(TableName=config.connector_table())["Items"])


def _bucket_keys() -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=config.bulk_bucket_name())
    return [o["Key"] for o in listed.get("Contents", [])]


# ---------------------------------------------------------------- the pre-signed path


def _put_upload(world: World, data: bytes) -> str:
    upload = imports.upload_url(world.admin)
    assert upload["method"] == "PUT" and upload["uploadId"].startswith("1C06")
    key = storage.upload_key(world.admin.tenant_id, upload["uploadId"])
    boto3.client("s3").put_object(Bucket=config.bulk_bucket_name(), Key=key, Body=data)
    return str(upload["uploadId"])


def _json_event(body: dict[str, Any]) -> dict[str, Any]:
    import json

    return {"headers": {"content-type": "application/json"}, "body": json.dumps(body), "isBase64Encoded": False}


def test_pre_signed_upload_is_started_once_and_processed_from_the_queue(world: World) -> None:
    upload_id = _put_upload(world, _csv([["Acme", "ann@example.com", "false"], ["Nope", "ann@example.com", ""]]))
    start = _json_event({"jobId": world.job["jobId"], "uploadId": upload_id})
    status_id = imports.start(world.admin, start)["statusId"]
    again = _failure(lambda: imports.start(world.admin, start))
    assert isinstance(again, Conflict) and "already" in again.desc
    queue = boto3.client("sqs").receive_message(QueueUrl=config.bulk_imports_queue_url(), MaxNumberOfMessages=10)
    (message,) = queue["Messages"]
    import json

    assert worker.on_message(json.loads(message["Body"]), FOREVER) == "done"
    status = imports.status(world.admin, status_id)
    assert (status["status"], status["inserted"], status["rejected"]) == ("COMPLETED", 1, 1)
    assert worker.on_message(json.loads(message["Body"]), FOREVER) == "skipped"  # delivered twice: applied once


def test_pre_signed_start_refuses_what_is_missing_or_foreign(world: World, aws_tables) -> None:
    job_id = world.job["jobId"]
    upload = imports.upload_url(world.admin)
    not_yet = _failure(
        lambda: imports.start(world.admin, _json_event({"jobId": job_id, "uploadId": upload["uploadId"]}))
    )
    assert isinstance(not_yet, BadRequest) and "PUT the file" in not_yet.desc
    other = World(["Acme"], ["Ann"])
    foreign = _put_upload(other, _csv([["Acme", "ann@example.com", "false"]]))
    for body in ({"jobId": job_id, "uploadId": foreign}, {"jobId": other.job["jobId"], "uploadId": upload["uploadId"]}):
        error = _failure(lambda body=body: imports.start(world.admin, _json_event(body)))
        assert isinstance(error, (NotFound, BadRequest)), error.desc
    assert isinstance(_failure(lambda: imports.status(world.admin, "1C05" + "0" * 32)), NotFound)
    theirs = other.upload(_csv([["Acme", "ann@example.com", "false"]]))
    assert isinstance(_failure(lambda: imports.status(world.admin, theirs)), NotFound)
    assert isinstance(_failure(lambda: imports.errors(world.admin, theirs)), NotFound)
    bad = _failure(lambda: imports.start(world.admin, _json_event({"jobId": job_id, "uploadId": "x", "more": 1})))
    assert isinstance(bad, BadRequest) and "more" in bad.desc


def test_a_broken_pre_signed_file_fails_the_import_with_nothing_written(world: World) -> None:
    data = _csv([["Acme", "ann@example.com", "false"]] * 5) + b'"Globex,ann@example.com,false\r\n'
    upload_id = _put_upload(world, data)
    status_id = imports.start(world.admin, _json_event({"jobId": world.job["jobId"], "uploadId": upload_id}))[
        "statusId"
    ]
    assert worker.on_message({"tenantId": world.admin.tenant_id, "statusId": status_id}, FOREVER) == "done"
    status = imports.status(world.admin, status_id)
    assert status["status"] == "FAILED" and "line 7" in status["reason"] and status["processed"] == 0
    assert world.team() == {}


# ---------------------------------------------------------------- interruptions (property)

COMPANIES = ["Acme", "Globex", "Initech"]
USERS = ["Ann", "Bob", "Cy"]
_row = st.tuples(
    st.sampled_from([*COMPANIES, "Nowhere"]), st.sampled_from([*USERS, "Zed"]), st.sampled_from(["", "false", "true"])
)


def _model(rows: list[tuple[str, str, str]], start: set[tuple[str, str]]) -> tuple[set[tuple[str, str]], dict]:
    team = set(start)
    counts = dict.fromkeys(("inserted", "unchanged", "deleted", "skipped", "rejected"), 0)
    for company, user, deleted in rows:
        pair = (company, user)
        if company == "Nowhere" or user == "Zed":
            counts["rejected"] += 1
        elif deleted == "true":
            counts["deleted" if pair in team else "skipped"] += 1
            team.discard(pair)
        else:
            counts["unchanged" if pair in team else "inserted"] += 1
            team.add(pair)
    return team, counts


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(_row, min_size=1, max_size=40),
    start=st.sets(st.tuples(st.sampled_from(COMPANIES), st.sampled_from(USERS)), max_size=4),
    stops=st.lists(st.sampled_from(["go", "timeout", "crash"]), max_size=30),
    chunk=st.integers(1, 7),
    checkpoint_every=st.integers(1, 15),
    batch=st.integers(1, 25),
)
def test_an_import_cut_at_random_chunk_boundaries_ends_like_an_uncut_one(
    aws_tables, fake_clock, monkeypatch, rows, start, stops, chunk, checkpoint_every, batch
) -> None:
    """Timeouts (checkpoint, continuation message) and crashes (no checkpoint; the
    message returns once the lease expired) at random chunk boundaries: the team ends
    as the rows applied in order say, and the object's counter (includeTotal) says how
    many records there are; with timeouts only, the row counts add up exactly. Write calls
    of ``batch`` items, so that flushes between checkpoints send some (25 in production)."""
    monkeypatch.setattr(worker, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(worker, "CHECKPOINT_ROWS", checkpoint_every)
    monkeypatch.setattr(bulk_writer, "BATCH_WRITE_LIMIT", batch)
    stores = _tracked_stores(monkeypatch)
    world = World(COMPANIES, USERS)
    for company, user in sorted(start):
        membership.assign_users(
            world.admin,
            world.companies[company],
            AssignUsers.model_validate({"records": [{"UserId": world.users[user]}]}),
        )
    data = _csv([[c, f"{u.lower()}@example.com", d] for c, u, d in rows])
    status_id = world.upload(data)
    plan = iter(stops)

    class Crash(Exception):
        pass

    def remaining() -> int:
        step = next(plan, "go")
        if step == "crash":
            raise Crash
        return 0 if step == "timeout" else 10**9

    message = {"tenantId": world.admin.tenant_id, "statusId": status_id}
    crashed = False
    for _ in range(200):
        try:
            outcome = worker.on_message(message, remaining)
        except Crash:
            crashed = True
            _die(stores)
            fake_clock.at += worker.LEASE_SECONDS + 1  # the message comes back after the lease
            continue
        if outcome == "done":
            break
        assert outcome == "continued"
    expected_team, expected_counts = _model(rows, start)
    status = imports.status(world.admin, status_id)
    assert status["status"] == "COMPLETED"
    assert set(world.team()) == expected_team
    assert records.count(world.admin.tenant_id, "CompanyTeam") == len(expected_team)
    for record in world.team().values():
        assert record["UserSource"] == "Manual"
    if not crashed:
        assert {name: status[name] for name in expected_counts} == expected_counts
        assert status["processed"] == status["total"] == len(rows)
        text, _ = imports.errors(world.admin, status_id)
        assert len(list(csv.reader(io.StringIO(text)))) == 1 + expected_counts["rejected"]


def _tracked_stores(monkeypatch) -> list[BulkStore]:
    """Every BulkStore the loader makes from now on."""
    made: list[BulkStore] = []

    class Tracked(BulkStore):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(loader_module, "BulkStore", Tracked)
    return made


def _die(stores: list[BulkStore]) -> None:
    """The invocation is gone: what its write-behind threads had taken up has landed (or
    failed), nothing of it runs on beside the next invocation."""
    for store in stores:
        with contextlib.suppress(Exception):
            store.close()
    stores.clear()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(_row, min_size=1, max_size=40),
    start=st.sets(st.tuples(st.sampled_from(COMPANIES), st.sampled_from(USERS)), max_size=4),
    failing=st.sets(st.integers(0, 8), min_size=1, max_size=3),
    chunk=st.integers(1, 7),
    checkpoint_every=st.integers(1, 15),
    batch=st.integers(1, 8),
)
def test_the_counter_matches_the_records_when_write_calls_fail(
    aws_tables, fake_clock, monkeypatch, rows, start, failing, chunk, checkpoint_every, batch
) -> None:
    """BatchWriteItem calls of the import fail at random (the invocation dies with the
    error; the message returns once the lease expired): each flush counts the records it
    wrote, so the counter ends equal to the records in the table."""
    monkeypatch.setattr(worker, "CHUNK_ROWS", chunk)
    monkeypatch.setattr(worker, "CHECKPOINT_ROWS", checkpoint_every)
    monkeypatch.setattr(bulk_writer, "BATCH_WRITE_LIMIT", batch)
    monkeypatch.setattr(bulk_calls, "backoff", lambda attempt: None)
    stores = _tracked_stores(monkeypatch)
    world = World(COMPANIES, USERS)
    for company, user in sorted(start):
        membership.assign_users(
            world.admin,
            world.companies[company],
            AssignUsers.model_validate({"records": [{"UserId": world.users[user]}]}),
        )
    status_id = world.upload(_csv([[c, f"{u.lower()}@example.com", d] for c, u, d in rows]))
    calls = iter(range(10**6))

    def fail_some(**_: Any) -> None:
        if next(calls) in failing:
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "injected"}}, "BatchWriteItem")

    client = aws.dynamodb()
    client.meta.events.register("before-call.dynamodb.BatchWriteItem", fail_some)
    message = {"tenantId": world.admin.tenant_id, "statusId": status_id}
    try:
        for _ in range(50):
            try:
                if worker.on_message(message, FOREVER) == "done":
                    break
            except ClientError:
                _die(stores)
                fake_clock.at += worker.LEASE_SECONDS + 1
    finally:
        client.meta.events.unregister("before-call.dynamodb.BatchWriteItem", fail_some)
    expected_team, _ = _model(rows, start)
    assert imports.status(world.admin, status_id)["status"] == "COMPLETED"
    assert set(world.team()) == expected_team
    assert records.count(world.admin.tenant_id, "CompanyTeam") == len(expected_team)


def test_a_large_errors_file_is_handed_over_as_a_pre_signed_url(world: World, monkeypatch) -> None:
    monkeypatch.setattr(imports, "INLINE_ERRORS_BYTES", 100)
    status = world.run(world.upload(_csv([[f"Nowhere {n}", "ann@example.com", "false"] for n in range(20)])))
    assert status["rejected"] == 20
    text, data = imports.errors(world.admin, status["statusId"])
    assert text is None and data is not None and data["expiresIn"] == 900 and data["bytes"] > 100
    assert f"errors/{world.admin.tenant_id}/{status['statusId']}.csv" in data["url"]
    assert "X-Amz-Signature=" in data["url"]
    key = storage.errors_key(world.admin.tenant_id, status["statusId"])
    rows = list(csv.reader(io.StringIO(storage.read_all(key).decode())))
    assert len(rows) == 21 and rows[0][-1] == "reason" and rows[20][0] == "Nowhere 19"


def test_errors_are_not_ready_while_the_import_runs(world: World) -> None:
    status_id = world.upload(_csv([["Acme", "ann@example.com", "false"]]))
    error = _failure(lambda: imports.errors(world.admin, status_id))
    assert isinstance(error, Conflict) and "still running" in error.desc


def test_an_s3_retry_while_a_crashed_invocation_holds_the_lease_resumes_later(world: World, fake_clock) -> None:
    """Lambda retries an S3 event within minutes, while the dead invocation's lease still
    runs: the retry queues a look for when it runs out, and that one finishes the import."""
    status_id = world.upload(_csv([["Acme", "ann@example.com", "false"], ["Globex", "bob@example.com", ""]]))
    key = storage.import_key(world.admin.tenant_id, status_id)

    def dies() -> int:
        raise RuntimeError("invocation killed")

    with pytest.raises(RuntimeError):
        worker.on_s3_object(config.bulk_bucket_name(), key, dies)
    fake_clock.at += 60
    assert worker.on_s3_object(config.bulk_bucket_name(), key, FOREVER) == "deferred"
    sqs = boto3.client("sqs")
    queue = config.bulk_imports_queue_url()
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessagesDelayed"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"
    fake_clock.at += worker.LEASE_SECONDS
    message = {"tenantId": world.admin.tenant_id, "statusId": status_id}
    assert worker.on_message(message, FOREVER) == "done"
    status = imports.status(world.admin, status_id)
    assert (status["status"], status["processed"]) == ("COMPLETED", 2)
    assert set(world.team()) == {("Acme", "Ann"), ("Globex", "Bob")}


def test_imports_of_one_tenant_are_applied_one_at_a_time(world: World, monkeypatch, fake_clock) -> None:
    """A second file of the tenant waits while the first is being applied (its rows never
    interleave with the first's), then runs; another tenant's import does not wait."""
    monkeypatch.setattr(worker, "CHUNK_ROWS", 1)
    monkeypatch.setattr(worker, "CHECKPOINT_ROWS", 1)
    first = world.upload(_csv([["Acme", "ann@example.com", ""], ["Acme", "bob@example.com", ""]]))
    second = world.upload(_csv([["Acme", "ann@example.com", "true"]]))
    bucket, tenant_id = config.bulk_bucket_name(), world.admin.tenant_id
    # The first one's invocation runs out of time after one row: it continues later.
    assert worker.on_s3_object(bucket, storage.import_key(tenant_id, first), lambda: 0) == "continued"
    assert worker.on_s3_object(bucket, storage.import_key(tenant_id, second), FOREVER) == "waiting"
    waiting = imports.status(world.admin, second)
    assert (waiting["status"], waiting["processed"]) == ("INIT", 0) and first in waiting["reason"]
    assert set(world.team()) == {("Acme", "Ann")}
    sqs = boto3.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=config.bulk_imports_queue_url(), AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"] == "1"  # the look again

    other = World(["Acme"], ["Ann"])
    assert other.run(other.upload(_csv([["Acme", "ann@example.com", ""]])))["status"] == "COMPLETED"

    assert worker.on_message({"tenantId": tenant_id, "statusId": first}, FOREVER) == "done"
    assert worker.on_message({"tenantId": tenant_id, "statusId": second}, FOREVER) == "done"
    done = imports.status(world.admin, second)
    assert (done["status"], done["deleted"], done["reason"]) == ("COMPLETED", 1, None)
    assert set(world.team()) == {("Acme", "Bob")}
    assert repository.slot_holder(tenant_id) is None


def test_gsid_columns_instead_of_lookups_are_checked(world: World) -> None:
    header = ["Company GSID", "User GSID", "Deleted"]
    job = _create_job(
        world.admin,
        _job_body(
            headers=header,
            fieldMappings={"Company GSID": "CompanyId", "User GSID": "UserId", "Deleted": "Deleted"},
            lookups={},
        ),
    )
    co, us = world.companies, world.users
    missing_company, missing_user = "1P02" + "0" * 32, "1P01" + "0" * 32
    data = _csv(
        [
            [co["Acme"], us["Ann"], "false"],
            [missing_company, us["Ann"], "false"],
            [co["Acme"], missing_user, "false"],
            ["Acme", us["Ann"], "false"],
        ],
        header,
    )
    status = world.run(world.upload(data, job["jobId"]))
    assert (status["inserted"], status["rejected"]) == (1, 3)
    text, _ = imports.errors(world.admin, status["statusId"])
    assert f"no company {missing_company}" in text and f"no user {missing_user}" in text
    assert "'Acme' is not a Company GSID" in text
    assert set(world.team()) == {("Acme", "Ann")}


def test_lookups_are_read_once_per_value_and_writes_come_in_full_batches(world: World, monkeypatch) -> None:
    """60 rows in chunks of 7 over 3 checkpoint segments: rows 0-29 name 30 companies with
    Ann, rows 30-59 the same companies with Bob. A value is read once for the whole file:
    the chunks of the first half read their new companies (⌈30/7⌉ = 5 calls), the second
    half none; Ann and Bob one call each. 60 records: ⌈60/25⌉ = 3 BatchWriteItem calls."""
    monkeypatch.setattr(worker, "CHUNK_ROWS", 7)
    monkeypatch.setattr(worker, "CHECKPOINT_ROWS", 20)
    more = companies.insert_companies(world.admin, [{"Name": f"Extra {n:02d}"} for n in range(30)])["records"]
    names = [r["Name"] for r in more]
    rows = [[names[n % 30], ["ann", "bob"][n // 30] + "@example.com", ""] for n in range(60)]
    calls: list[str] = []
    client = aws.dynamodb()
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
    status_id = world.upload(_csv(rows))
    calls.clear()
    status = world.run(status_id)
    assert (status["inserted"], status["rejected"]) == (60, 0)
    stored = repository.get_import(world.admin.tenant_id, status_id) or {}
    assert stored["reads"]["lookup:Company"] == 5 and stored["reads"]["lookup:User"] == 2
    assert calls.count("BatchWriteItem") == 3
