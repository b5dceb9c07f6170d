"""CSV files the product hands out, opened as a spreadsheet would open them (issue 13):
no cell of the sync run errors file or the bulk import errors file starts with a
character that makes a spreadsheet run it as a formula (OWASP: =, +, -, @, tab, CR);
such a cell is shown as text (a leading single quote) and its value stays readable."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
import requests

from tests.integration.salesforce import Browser, Sandbox
from tests.integration.stack import LocalStack
from tests.integration.test_bulk_import import BULK, HEADER, JOB, _world
from tests.integration.test_bulk_import import Api as BulkApi
from tests.integration.test_connector import Api, _connected
from tests.integration.test_sync import _run

pytestmark = pytest.mark.integration

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _open_like_a_spreadsheet(data: bytes) -> list[list[str]]:
    """The cells of a CSV file: UTF-8 with or without a byte order mark, quoted line
    breaks kept inside their cell."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _assert_safe(rows: list[list[str]], hostile: list[str]) -> None:
    cells = [cell for row in rows for cell in row]
    assert [c for c in cells if c.startswith(FORMULA_STARTS)] == [], "cells a spreadsheet would run"
    for value in hostile:
        assert "'" + value in cells, f"{value!r} is not readable behind its quote"


def _errors_file(stack: LocalStack, access_key: str, path: str) -> bytes:
    answer = requests.get(f"{stack.api}{path}", headers={"accesskey": access_key}, timeout=60)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv"), answer.text
    return answer.content


def test_the_sync_run_errors_file_is_safe_to_open(stack: LocalStack, tenant: dict[str, str]) -> None:
    sandbox = Sandbox(stack)
    org = sandbox.new_org(f"Csv {uuid.uuid4().hex[:6]}", users=2, accounts=1, contactsPerAccount=0)
    api = Api(stack, tenant["accessKey"])
    connection = _connected(api, Browser(stack.info["salesforce"]["caBundle"]), org)
    user_sync = next(j for j in api.jobs(connection["connectionId"]) if j["jobType"] == "USER_SYNC")
    # Users whose Name (= LastName) is hostile, rejected for an e-mail address that is not one.
    for n, name in enumerate(HOSTILE):
        sandbox.call(
            "POST",
            f"/orgs/{org['orgId']}/records/User",
            json={"Username": f"hostile{n}@csv.example", "Email": "-not-an-address", "LastName": name},
        )
    run = _run(stack, api, user_sync)
    assert run["status"] == "PARTIAL_SUCCESS" and run["rejected"] == len(HOSTILE), run

    rows = _open_like_a_spreadsheet(
        _errors_file(stack, tenant["accessKey"], f"/v1/connectors/runs/{run['runId']}/errors")
    )
    assert rows[0][:3] == ["sourceId", "outcome", "reason"] and len(rows) == 1 + len(HOSTILE)
    _assert_safe(rows, [*HOSTILE, "-not-an-address"])
    names = [row[rows[0].index("Name")] for row in rows[1:]]
    assert sorted(name[1:] for name in names) == sorted(HOSTILE)


def test_the_bulk_import_errors_file_is_safe_to_open(stack: LocalStack, tenant: dict[str, str]) -> None:
    api = BulkApi(stack, tenant)
    _world(api)
    job: dict[str, Any] = api.ok("POST", f"{BULK}/bulk", json=JOB)
    # Unknown companies and users (rejected) in hostile cells, and a hostile column the job does not map.
    rows = [[name, "ann@example.com", "false", name] for name in HOSTILE]
    rows.append(["Acme", "-2+3", "false", "@note"])
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[*HEADER, "@Notes"], *rows])
    data = b"\xef\xbb\xbf" + out.getvalue().encode()
    started = api.upload(job["jobId"], data)
    assert started.status_code == 200, started.text
    status = api.wait(started.json()["data"]["statusId"])
    assert (status["status"], status["rejected"]) == ("COMPLETED", len(rows)), status

    errors = _open_like_a_spreadsheet(
        _errors_file(stack, tenant["accessKey"], f"{BULK}/bulkimport/status/{status['statusId']}/errors")
    )
    assert errors[0] == [*HEADER, "'@Notes", "reason"] and len(errors) == 1 + len(rows)
    _assert_safe(errors, [*HOSTILE, "-2+3", "@note", "@Notes"])
    assert sorted(row[0][1:] for row in errors[1:] if row[0] != "Acme") == sorted(HOSTILE)
