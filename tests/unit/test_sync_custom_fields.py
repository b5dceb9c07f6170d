"""Custom fields on the sync path (SPEC §4b, issue 17): a mapping to a custom field the
tenant has not defined is refused when the job is saved (a 400 naming the mapping); a
Salesforce value the field's type cannot hold makes the row an ERROR whose reason names
the field and the code every write path answers (meta.fields.PROBLEM_CODES); a value it
can hold is stored as its definition says (a picklist label as its item GSID)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from cscore.auth import service as auth
from cscore.auth.principal import Principal
from cscore.connector import job_definitions as jd
from cscore.connector import jobs
from cscore.connector import repository as connector_repository
from cscore.connector.models import UpdateJob
from cscore.errors import BadRequest
from cscore.meta import service as meta
from cscore.meta.models import FieldDefinition
from cscore.objects import query as objects
from cscore.platform import ids, request_model
from cscore.sync.writers import ERROR, PageWriter
from cscore.tenants import service as tenants

CONNECTION = {"connectionId": "1C01" + "C" * 32, "name": "Prod", "status": "AUTHORIZED"}


def _admin() -> Principal:
    key = tenants.create_tenant(f"Custom sync {uuid.uuid4().hex[:6]}")["accessKey"]
    admin = auth.authenticate({"accesskey": key})
    for name, kind in (("Score__gc", "number"), ("Renewal__gc", "date"), ("Note__gc", "string")):
        meta.add_field(admin, "Company", FieldDefinition.model_validate({"name": name, "type": kind}))
    picklist = {"name": "Region__gc", "type": "picklist", "picklistValues": ["EMEA", "AMER"]}
    meta.add_field(admin, "Company", FieldDefinition.model_validate(picklist))
    return auth.authenticate({"accesskey": key})


def _company_job(*extra: dict[str, Any]) -> dict[str, Any]:
    job = copy.deepcopy(jd.out_of_the_box(CONNECTION, lambda: ids.new_gsid(ids.JOB))[1])
    job["mappings"] += list(extra)
    return job


def test_a_mapping_to_an_undefined_custom_field_is_refused_at_job_update(aws_tables) -> None:
    admin = _admin()
    connector_repository.put_connection(admin.tenant_id, CONNECTION)
    job = _company_job()
    connector_repository.put_job(admin.tenant_id, job)
    mappings = [*job["mappings"], {"source": "Rating", "target": "Rank__gc"}]
    with pytest.raises(BadRequest) as refused:
        jobs.update_job(admin, job["jobId"], request_model.checked(UpdateJob, {"mappings": mappings}))
    assert refused.value.desc == f"mappings[{len(job['mappings'])}].target: Rank__gc is not a field of Company"
    mappings[-1]["target"] = "Score__gc"
    edited = jobs.update_job(admin, job["jobId"], request_model.checked(UpdateJob, {"mappings": mappings}))
    assert edited["mappings"][-1] == {"source": "Rating", "target": "Score__gc"}


def test_salesforce_values_are_checked_against_the_custom_fields_definition(aws_tables) -> None:
    admin = _admin()
    job = _company_job(
        {"source": "Score", "target": "Score__gc"},
        {"source": "Renewal", "target": "Renewal__gc"},
        {"source": "Note", "target": "Note__gc"},
        {"source": "Region", "target": "Region__gc"},
    )
    good = {"Score": 7, "Renewal": "2027-06-30", "Note": " hi ", "Region": "emea"}
    rows = [
        {"Id": "001000000000000AAA", "Name": "Good", **good},
        {"Id": "001000000000000BBB", "Name": "Empty", "Score": None, "Renewal": None, "Note": None, "Region": None},
        {"Id": "001000000000000CCC", "Name": "Bad score", **good, "Score": "many"},
        {"Id": "001000000000000DDD", "Name": "Bad date", **good, "Renewal": "2027-02-30"},
        {"Id": "001000000000000EEE", "Name": "Long note", **good, "Note": "x" * 256},
        {"Id": "001000000000000FFF", "Name": "Bad region", **good, "Region": "Mars"},
    ]
    writer = PageWriter(admin.tenant_id, job, CONNECTION, "SYNC")
    result = writer.write(rows)
    writer.flush()
    assert [(o.source_id[-3:], o.outcome, o.reason) for o in result.outcomes] == [
        ("CCC", ERROR, "Company.Score__gc: 'many' is not a number (GSOBJ_1002)"),
        ("DDD", ERROR, "Company.Renewal__gc: '2027-02-30' is not a date (yyyy-MM-dd) (GSOBJ_1005)"),
        ("EEE", ERROR, "Company.Note__gc: longer than 255 characters (GSOBJ_1001)"),
        ("FFF", ERROR, "Company.Region__gc: 'Mars' is not one of AMER, EMEA (GSOBJ_1002)"),
    ]
    body = {"select": ["Name", "Score__gc", "Renewal__gc", "Note__gc", "Region__gc"], "limit": 10}
    written = {c["Name"]: c for c in objects.query_objects(admin, "Company", body)["records"]}
    assert sorted(written) == ["Empty", "Good"]
    good_one = written["Good"]
    assert (good_one["Score__gc"], good_one["Note__gc"]) == (7, "hi")
    assert good_one["Region__gc"] == "EMEA"  # "emea" was stored as the item (queries show labels)
    assert good_one["Renewal__gc"] == 1814313600000  # 2027-06-30, as dates come back (epoch ms)
    assert all(written["Empty"].get(name) is None for name in ("Score__gc", "Renewal__gc", "Note__gc", "Region__gc"))
