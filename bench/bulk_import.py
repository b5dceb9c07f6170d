"""A Company Team CSV of N rows uploaded through the pre-signed path and imported by the
worker: DynamoDB calls by operation (write calls against ⌈N/25⌉ + 20, lookup reads
against ⌈N/100⌉ + 20 per lookup), rows/s, peak RSS of the worker, and the ratio of the
worker's wall time to a raw floor measured in the same run (the same number of items,
of the same size, written by a bare BatchWriteItem loop against the same embedded AWS).

The embedded AWS (moto's server) runs in this process; the worker runs in a child
process exactly as the worker function does (``worker.on_message`` on the queued
message), so the child's peak RSS is the worker's own. The tenant's 25,000 companies and
400 users are written beforehand through the bulk store (the items the APIs write)."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from pathlib import Path
from typing import Any

import requests

from bench.floor import floor, queue_worker, ratio_rows, run_child
from tests.support import TEAM_CSV_HEADER, team_bulk_job

ROOT = Path(__file__).resolve().parents[1]
COMPANIES = 25_000
USERS = 400

WORKER = queue_worker(
    "from cscore.bulkload import worker", "bulk_imports_queue_url", "worker.on_message(message, lambda: 900_000)"
)

WRITES = {"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}


def _file(rows: int) -> bytes:
    """Row i names company i mod 25,000 and one of 400 users: every (company, user) pair once."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEAM_CSV_HEADER)
    for i in range(rows):
        q, r = divmod(i, COMPANIES)
        writer.writerow([f"Company {r:05d}", f"user{q * 100 + r % 100:03d}@bench.example.com", "false"])
    return out.getvalue().encode()


def _seed(tenant_id: str, actor: str) -> None:
    from cscore.catalog import COMPANY, USER
    from cscore.objects.bulk import BulkStore

    for shape, rows in (
        (COMPANY.shape, [{"Name": f"Company {i:05d}"} for i in range(COMPANIES)]),
        (
            USER.shape,
            [
                {
                    "FirstName": "User",
                    "LastName": f"{i:03d}",
                    "Name": f"User {i:03d}",
                    "Email": f"user{i:03d}@bench.example.com",
                    "SFDCUserName": f"user{i:03d}@bench.example.com",
                    "IsActiveUser": True,
                }
                for i in range(USERS)
            ],
        ),
    ):
        for start in range(0, len(rows), 2_000):
            store = BulkStore(tenant_id, shape, actor)
            store.upsert([(None, r) for r in rows[start : start + 2_000]])
            store.flush()


def measure(rows: int, repeats: int = 3) -> list[tuple[str, str]]:
    """Rows of (figure, value) for the README table. The import and its floor run
    ``repeats`` times (each into a fresh tenant) for the ratio."""
    from collections import Counter

    from cscore.auth.principal import Principal
    from cscore.bulkload import definitions, imports, repository
    from cscore.bulkload.models import CreateBulkJob
    from cscore.platform import aws, parallel
    from cscore.tenants import service as tenants
    from cslocal.aws_server import LocalAwsServer
    from cslocal.resources import create_all
    from cslocal.template import load_stack

    aws_server = LocalAwsServer(0, None).start()
    # moto keeps its state per process: start from nothing whatever ran before in this one.
    requests.post(f"{aws_server.url}/moto-api/reset", timeout=60).raise_for_status()
    env = {
        "AWS_ENDPOINT_URL": aws_server.url,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    for client in (aws.dynamodb, aws.sqs, aws.s3):
        client.cache_clear()
    stack = load_stack(ROOT, "bench")
    stack.endpoint_hint = aws_server.url
    names = create_all(stack, aws_server.url)
    for function in stack.functions():
        os.environ.update(function.environment)
    os.environ["BULK_IMPORTS_QUEUE_URL"] = aws.sqs().get_queue_url(QueueName=names["BulkImportsQueue"])["QueueUrl"]
    os.environ["BULK_BUCKET_NAME"] = names["BulkImportBucket"]
    child_env = {**os.environ}
    try:
        data = _file(rows)
        api_calls: Counter[str] = Counter()
        aws.dynamodb().meta.events.register("before-call.dynamodb", lambda model, **_: api_calls.update([model.name]))

        def one_import() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], Counter[str]]:
            """The file imported into a fresh tenant: (worker's figures, import status,
            reads by kind, DynamoDB calls of the API requests)."""
            tenant = tenants.create_tenant(f"Bench {uuid.uuid4().hex[:6]}")
            principal = Principal(
                tenant["tenantId"],
                "Bench",
                tenant["superAdminGsid"],
                True,
                "ACCESS_KEY",
                "bench",
                tenant=tenants.get_tenant(tenant["tenantId"]),
            )
            _seed(tenant["tenantId"], tenant["superAdminGsid"])
            job = definitions.create_job(principal, CreateBulkJob.model_validate(team_bulk_job(name="Bench")))
            api_calls.clear()
            upload = imports.upload_url(principal)
            put = requests.put(upload["uploadUrl"], data=data, timeout=600)
            put.raise_for_status()
            event = {"headers": {"Content-Type": "application/json"}, "body": json.dumps(
                {"jobId": job["jobId"], "uploadId": upload["uploadId"]})}  # fmt: skip
            status_id = imports.start(principal, event)["statusId"]
            work = run_child(WORKER, child_env)
            status = imports.status(principal, status_id)
            reads = (repository.get_import(tenant["tenantId"], status_id) or {}).get("reads") or {}
            return work, status, reads, Counter(api_calls)

        template = {
            "CompanyId": "1P02FLOORCOMPANY{i:020d}",
            "UserId": "1P01FLOORUSER000000000000000000000001",
            "TeamRole": "1I00ACCOUNTMANAGER000000000000000000",
            "UserAccess": "Admin",
            "UserSource": "Manual",
        }
        made = [one_import() for _ in range(max(1, repeats))]
        work, status, reads, api_calls = made[0]
        workers = [worker for worker, _, _, _ in made]
        floors = [floor(child_env, "CompanyTeam", template, w["items"], parallel.CONCURRENT_CALLS) for w in workers]
    finally:
        aws_server.stop()

    calls = Counter(work["calls"]) + api_calls
    writes = sum(n for op, n in calls.items() if op in WRITES)
    per_lookup = -(-rows // 100) + 20
    return [
        ("rows (N)", f"{rows:,} ({len(data) / 1e6:.1f} MB; {COMPANIES:,} companies, {USERS} users)"),
        ("import status / inserted / rejected", f"{status['status']} / {status['inserted']} / {status['rejected']}"),
        (
            "DynamoDB calls by operation (upload-url, start, worker)",
            ", ".join(f"{op} {n}" for op, n in sorted(calls.items())),
        ),
        ("DynamoDB write calls (target ≤ ⌈N/25⌉ + 20)", f"{writes} (target {-(-rows // 25) + 20})"),
        (
            "lookup reads: Company by Name / User by Email (target ≤ ⌈N/100⌉ + 20 each)",
            f"{reads.get('lookup:Company', 0)} / {reads.get('lookup:User', 0)} (target {per_lookup})",
        ),
        (
            "other reads: referenced records / existing Company Team records",
            f"{reads.get('references', 0)} / {reads.get('existing', 0)}",
        ),
        ("rows/s (moto server)", f"{rows / work['elapsed']:,.0f}"),
        ("worker peak RSS", f"{work['rss_kb'] / 1024:.0f} MB (target ≤ 256)"),
        *ratio_rows(workers, floors, "import"),
    ]
