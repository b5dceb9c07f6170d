"""The Bulk API over HTTP through the local stack (SPEC §4.5(3), §6): define a job,
upload a file (multipart, as Gainsight's cURL sample does, and through a pre-signed
S3 URL), follow the status the S3-triggered worker reports, read the errors file; the
bulk rate limit; other tenants see nothing."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import pytest
import requests

from tests.integration.stack import LocalStack
from tests.support import TEAM_CSV_HEADER, team_bulk_job

pytestmark = pytest.mark.integration

BULK = "/v1.0/admin/connector/job"
HEADER = TEAM_CSV_HEADER
JOB = team_bulk_job()


class Api:
    def __init__(self, stack: LocalStack, tenant: dict[str, str]) -> None:
        self.base = stack.api
        self.headers = {"accesskey": tenant["accessKey"]}

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{self.base}{path}", headers=self.headers, timeout=30, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.call(method, path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def upload(self, job_id: str, data: bytes, filename: str = "teams.csv") -> requests.Response:
        return self.call(
            "POST", f"{BULK}/bulkimport", files={"file": (filename, data, "text/csv")}, data={"jobId": job_id}
        )

    def wait(self, status_id: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            status = self.ok("GET", f"{BULK}/bulkimport/status/{status_id}")
            if status["status"] in ("COMPLETED", "FAILED"):
                return status
            time.sleep(0.2)
        raise AssertionError(f"import {status_id} did not end: {status}")


def _csv(rows: list[list[str]], bom: bool = False, line_end: str = "\r\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=line_end).writerows([HEADER, *rows])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def _world(api: Api) -> dict[str, str]:
    companies = api.ok(
        "POST",
        "/v1/data/objects/Company",
        json={"records": [{"Name": n} for n in ("Acme", "Globex", "株式会社サンプル", "Twin", "Twin")]},
    )["records"]
    users = api.call(
        "POST",
        "/v1/users/services?notify=false",
        json={
            "records": [
                {"FirstName": n, "LastName": "Test", "Email": f"{n.lower()}@example.com", "SFDCUserName": f"{n}@e.x"}
                for n in ("Ann", "Bob")
            ]
        },
    ).json()["data"]["records"]
    gsids = {"Acme": companies[0]["Gsid"], "Globex": companies[1]["Gsid"], "Sample": companies[2]["Gsid"]}
    return gsids | {"Ann": users[0]["Gsid"], "Bob": users[1]["Gsid"]}


def _members(api: Api, company: str) -> set[str]:
    return {m["UserEmail"] for m in api.ok("GET", f"/v1/teams/companies/{company}/members")["members"]}


def test_upload_status_and_errors_flow(stack: LocalStack, tenant: dict[str, str]) -> None:
    api = Api(stack, tenant)
    ids = _world(api)
    api.ok("POST", f"/v1/teams/companies/{ids['Globex']}/members", json={"records": [{"UserId": ids["Ann"]}]})
    job = api.ok("POST", f"{BULK}/bulk", json=JOB)
    assert job["jobId"] and job["objectName"] == "CompanyTeam"
    data = _csv(
        [
            ["Acme", "ann@example.com", "false"],  # insert
            ["Acme", "bob@example.com", ""],  # insert
            ["Acme", "ann@example.com", "false"],  # update that changes nothing
            ["Globex", "ann@example.com", "true"],  # delete
            ["株式会社サンプル", "bob@example.com", "false"],  # insert (Japanese name)
            ["Nowhere, Inc.", "ann@example.com", "false"],  # unknown company
            ["Acme", "nobody@example.com", "false"],  # unknown user
            ["Twin", "ann@example.com", "false"],  # several companies match
        ]
    )
    response = api.upload(job["jobId"], data)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["result"] is True and set(body["data"]) == {"statusId"}
    status = api.wait(body["data"]["statusId"])
    assert {k: status[k] for k in ("status", "total", "processed", "success", "failed")} == {
        "status": "COMPLETED",
        "total": 8,
        "processed": 8,
        "success": 5,
        "failed": 3,
    }
    assert (status["inserted"], status["unchanged"], status["deleted"], status["rejected"]) == (3, 1, 1, 3)
    assert status["jobId"] == job["jobId"] and status["createdDate"] and status["completedDate"]
    assert _members(api, ids["Acme"]) == {"ann@example.com", "bob@example.com"}
    assert _members(api, ids["Globex"]) == set()
    assert _members(api, ids["Sample"]) == {"bob@example.com"}
    acme = api.ok("GET", f"/v1/teams/companies/{ids['Acme']}/members")["members"]
    assert {(m["TeamRole"], m["UserAccess"], m["UserSource"]) for m in acme} == {("Account Manager", "Admin", "Manual")}

    errors = api.call("GET", f"{BULK}/bulkimport/status/{status['statusId']}/errors")
    assert errors.status_code == 200 and errors.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(errors.content.decode("utf-8"))))
    assert rows[0] == [*HEADER, "reason"]
    by_company = {r[0]: r[3] for r in rows[1:]}
    assert len(rows) == 4
    assert "no Company matches Name = 'Nowhere, Inc.'" in by_company["Nowhere, Inc."]
    assert "Email = 'nobody@example.com'" in by_company["Acme"]
    assert "2 Company records match" in by_company["Twin"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("bom-crlf", _csv([["Acme", "ann@example.com", "false"]], bom=True)),
        ("lf", _csv([["Acme", "ann@example.com", "false"]], line_end="\n")),
        ("quoted", b'Company Name,Email ID,Deleted\r\n"Acme",ann@example.com,"false"\r\n'),
        ("trailing-blank-lines", _csv([["Acme", "ann@example.com", "false"]]) + b"\r\n\r\n\n"),
    ],
)
def test_real_csv_files_load(stack: LocalStack, tenant: dict[str, str], name: str, data: bytes) -> None:
    api = Api(stack, tenant)
    ids = _world(api)
    job = api.ok("POST", f"{BULK}/bulk", json=JOB)
    response = api.upload(job["jobId"], data)
    assert response.status_code == 200, (name, response.text)
    status = api.wait(response.json()["data"]["statusId"])
    assert (status["status"], status["total"], status["inserted"]) == ("COMPLETED", 1, 1), name
    assert _members(api, ids["Acme"]) == {"ann@example.com"}


def test_quoted_newlines_and_commas_reach_the_errors_file_intact(stack: LocalStack, tenant: dict[str, str]) -> None:
    api = Api(stack, tenant)
    _world(api)
    job = api.ok("POST", f"{BULK}/bulk", json=JOB)
    data = b'Company Name,Email ID,Deleted\n"Line one\nline two, ""quoted""",ann@example.com,false\n'
    status = api.wait(api.upload(job["jobId"], data).json()["data"]["statusId"])
    assert status["rejected"] == 1
    text = api.call("GET", f"{BULK}/bulkimport/status/{status['statusId']}/errors").content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == 'Line one\nline two, "quoted"'


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file"),
        (b"Company,Email\nAcme,ann@example.com\n", "lacks the column"),
        (b'Company Name,Email ID,Deleted\n"Acme,ann@example.com,false\n', "line 2"),
    ],
)
def test_files_that_cannot_load_are_refused_with_nothing_written(
    stack: LocalStack, tenant: dict[str, str], data: bytes, says: str
) -> None:
    api = Api(stack, tenant)
    ids = _world(api)
    job = api.ok("POST", f"{BULK}/bulk", json=JOB)
    response = api.upload(job["jobId"], data)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["result"] is False and body["errorCode"] == "GS_1400" and says in body["errorDesc"]
    assert body["errorDesc"].startswith("file:")
    assert _members(api, ids["Acme"]) == set()


def test_a_file_over_4_mb_is_sent_to_the_pre_signed_path(stack: LocalStack, tenant: dict[str, str]) -> None:
    api = Api(stack, tenant)
    ids = _world(api)
    job = api.ok("POST", f"{BULK}/bulk", json=JOB)
    # A column the job does not map is carried along (and makes the file large quickly).
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*HEADER, "Notes"])
    for n in range(4_500):
        company, email = ("Acme", "ann@example.com") if n % 2 else ("Globex", "bob@example.com")
        writer.writerow([company, email, "false", f"{n:05d}" + "x" * 1_000])
    data = out.getvalue().encode()
    assert 4 * 1024 * 1024 < len(data) < 6 * 1024 * 1024
    refused = api.upload(job["jobId"], data)
    assert refused.status_code == 413 and refused.json()["errorCode"] == "GS_1413"
    assert "upload-url" in refused.json()["errorDesc"]

    upload = api.ok("POST", f"{BULK}/bulkimport/upload-url", json={})
    assert upload["method"] == "PUT" and upload["maxBytes"] >= len(data)
    put = requests.put(upload["uploadUrl"], data=data, timeout=60)
    assert put.status_code == 200, put.text
    started = api.ok("POST", f"{BULK}/bulkimport", json={"jobId": job["jobId"], "uploadId": upload["uploadId"]})
    status = api.wait(started["statusId"], timeout=300)
    assert (status["status"], status["total"], status["inserted"], status["unchanged"]) == (
        "COMPLETED",
        4_500,
        2,
        4_498,
    )
    assert _members(api, ids["Acme"]) == {"ann@example.com"} and _members(api, ids["Globex"]) == {"bob@example.com"}
    again = api.call("POST", f"{BULK}/bulkimport", json={"jobId": job["jobId"], "uploadId": upload["uploadId"]})
    assert again.status_code == 409


def test_the_eleventh_upload_in_an_hour_is_429(stack: LocalStack, tenant: dict[str, str]) -> None:
    api = Api(stack, tenant)
    _world(api)
    job = api.ok("POST", f"{BULK}/bulk", json=JOB)
    data = _csv([["Acme", "ann@example.com", "false"]])
    answers = [api.upload(job["jobId"], data) for _ in range(10)]
    assert [r.status_code for r in answers] == [200] * 10
    assert answers[-1].headers["X-RateLimit-Limit"] == "10"
    refused = api.upload(job["jobId"], data)
    assert refused.status_code == 429 and refused.json()["errorCode"] == "GU_2400"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert api.call("POST", f"{BULK}/bulk", json=JOB).status_code == 200  # job definitions are standard calls


def test_other_tenants_and_non_admins_see_nothing(stack: LocalStack, tenant: dict[str, str]) -> None:
    api = Api(stack, tenant)
    ids = _world(api)
    job = api.ok("POST", f"{BULK}/bulk", json=JOB)
    status_id = api.upload(job["jobId"], _csv([["Acme", "ann@example.com", "false"]])).json()["data"]["statusId"]
    api.wait(status_id)
    upload = api.ok("POST", f"{BULK}/bulkimport/upload-url", json={})

    other = Api(stack, stack.csadmin("tenant", "create", "--name", "Other"))
    assert other.call("GET", f"{BULK}/bulkimport/status/{status_id}").status_code == 404
    assert other.call("GET", f"{BULK}/bulkimport/status/{status_id}/errors").status_code == 404
    assert other.upload(job["jobId"], _csv([["Acme", "ann@example.com", "false"]])).status_code == 404
    stolen = other.call("POST", f"{BULK}/bulkimport", json={"jobId": job["jobId"], "uploadId": upload["uploadId"]})
    assert stolen.status_code == 404

    key = stack.csadmin("key", "create", "--tenant", tenant["tenantId"], "--user", ids["Bob"])
    not_admin = Api(stack, {"accessKey": key["accessKey"]})
    for method, path in (
        ("POST", f"{BULK}/bulk"),
        ("GET", f"{BULK}/bulkimport/status/{status_id}"),
        ("POST", f"{BULK}/bulkimport/upload-url"),
    ):
        assert not_admin.call(method, path, json=JOB).status_code == 403, path
