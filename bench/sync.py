"""Sync of N Salesforce Accounts (Company Sync) from the stand-in org: Salesforce calls,
DynamoDB calls by operation, the items written per company (I) and the write calls
against ⌈I·N/25⌉ + 10, records/s, peak RSS of the worker, and the ratio of the sync's
wall time to a floor measured in the same run: the worker's own BatchWriteItem,
TransactWriteItems and BatchGetItem calls recorded and made again (the same items,
conditions and keys, counted and compared) with the worker's concurrency against the
same embedded AWS; then an incremental run with 1% of the accounts changed.

The embedded AWS (moto's server) and the org run in this process; the sync runs in a
child process exactly as the sync function does (``runs.execute`` on the queued
message), so the child's peak RSS is the worker's own."""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import requests

from bench.floor import queue_worker, replayed_floor, run_child, spread

ROOT = Path(__file__).resolve().parents[1]
CALLBACK = "https://bench.example.com/v1/connectors/salesforce/oauth/callback"

WORKER = queue_worker(
    "from cscore.sync import runs",
    "sync_runs_queue_url",
    'runs.execute(message["tenantId"], message["runId"], lambda: 900_000)',
)


def measure(accounts: int, state_dir: Path | None = None, repeats: int = 3) -> list[tuple[str, str]]:
    """Rows of (figure, value) for the README table. With ``state_dir`` the embedded AWS
    keeps its state there, as ``make run`` does (bench/restart.py then loads it). The full
    sync and its floor run ``repeats`` times (each into a fresh tenant) for the ratio."""
    from cscore.auth.principal import Principal
    from cscore.connector import connected_app, connections, repository
    from cscore.connector.models import CreateConnection
    from cscore.platform import aws, parallel
    from cscore.sync import runs
    from cscore.tenants import service as tenants
    from cslocal.aws_server import LocalAwsServer
    from cslocal.resources import create_all
    from cslocal.template import load_stack
    from sforg import ConnectedApp, start_org_server
    from tests.integration.salesforce import Browser, query_of

    app = ConnectedApp("3MVG9bench", "bench-secret", [CALLBACK])
    state = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    aws_server = LocalAwsServer(0, state_dir).start()
    org_server = start_org_server(state, port=0, connected_apps=[app])
    ca = str(org_server.ca_pem_path)
    env = {
        "AWS_ENDPOINT_URL": aws_server.url,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "REQUESTS_CA_BUNDLE": ca,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)

    def fresh_aws() -> dict[str, str]:
        """The embedded AWS emptied (moto keeps its state per process: nothing that ran
        before counts) and the stack created again; the environment for a worker child."""
        requests.post(f"{aws_server.url}/moto-api/reset", timeout=60).raise_for_status()
        for client in (aws.dynamodb, aws.sqs, aws.kms, aws.secretsmanager, aws.scheduler):
            client.cache_clear()
        stack = load_stack(ROOT, "bench", parameter_overrides={"SalesforceLoginHost": org_server.url})
        stack.endpoint_hint = aws_server.url
        names = create_all(stack, aws_server.url)
        for function in stack.functions():
            os.environ.update(function.environment)
        os.environ["SYNC_RUNS_QUEUE_URL"] = aws.sqs().get_queue_url(QueueName=names["SyncRunsQueue"])["QueueUrl"]
        secret = {"clientId": app.client_id, "clientSecret": app.client_secret, "callbackUrl": CALLBACK}
        aws.secretsmanager().put_secret_value(
            SecretId=names["SalesforceConnectedAppSecret"], SecretString=json.dumps(secret)
        )
        connected_app.forget()
        return {**os.environ}

    try:
        started = time.perf_counter()
        org = requests.post(
            f"{org_server.url}/__sandbox/orgs",
            json={
                "name": "Bench",
                "users": 20,
                "accounts": accounts,
                "contactsPerAccount": 0,
                "teamMembersPerAccount": 0,
            },
            verify=ca,
            timeout=600,
        ).json()
        seeded = time.perf_counter() - started
        stats_url = f"{org_server.url}/__sandbox/orgs/{org['orgId']}/stats"

        def salesforce_calls() -> int:
            return int(requests.get(stats_url, verify=ca, timeout=60).json()["apiCalls"])

        def full_sync() -> tuple[str, dict[str, Any], dict[str, Any], int, dict[str, Any]]:
            """A first Company Sync of the org into an emptied embedded AWS, then its floor
            in the same: (tenant, job, worker's figures, Salesforce calls, final run), the
            floor appended to ``floors``. Only the last run's data stay (the restart loads them)."""
            child_env = fresh_aws()
            tenant = tenants.create_tenant(f"Bench {uuid.uuid4().hex[:6]}")
            principal = Principal(tenant["tenantId"], "Bench", tenant["superAdminGsid"], True, "ACCESS_KEY", "bench")
            connection = connections.create_connection(principal, CreateConnection(name="Bench", orgType="production"))
            url = connections.authorize(principal, connection["connectionId"], CALLBACK)["authorizationUrl"]
            connections.complete_authorization(query_of(Browser(ca).authorize(url, org["username"], org["password"])))
            job = next(j for j in repository.list_jobs(tenant["tenantId"]) if j["jobType"] == "COMPANY_SYNC")
            before = salesforce_calls()
            run = runs.start(tenant["tenantId"], job, "MANUAL", with_dependents=False)
            record = state / f"calls-{run['runId']}.jsonl"
            worker = run_child(WORKER, {**child_env, "BENCH_RECORD": str(record)})
            sf_calls = salesforce_calls() - before
            final = repository.get_run(tenant["tenantId"], run["runId"]) or {}
            floors.append(replayed_floor(child_env, record, tenant["tenantId"], parallel.CONCURRENT_CALLS))
            record.unlink()
            return tenant["tenantId"], job, worker, sf_calls, final

        floors: list[dict[str, Any]] = []
        runs_made = [full_sync() for _ in range(max(1, repeats))]
        last_tenant, last_job, full, full_sf, final = runs_made[-1]
        workers = [worker for _, _, worker, _, _ in runs_made]
        child_env = {**os.environ}
        # Incremental: 1% of the accounts changed at the source.
        changed = max(1, accounts // 100)
        rows = requests.get(f"{org_server.url}/__sandbox/orgs/{org['orgId']}/records/Account", verify=ca, timeout=600)
        for account in rows.json()["records"][:changed]:
            requests.patch(
                f"{org_server.url}/__sandbox/orgs/{org['orgId']}/records/Account/{account['Id']}",
                json={"Industry": "Changed"},
                verify=ca,
                timeout=60,
            )
        job = repository.get_job(last_tenant, last_job["jobId"]) or last_job
        before = salesforce_calls()
        again = runs.start(last_tenant, job, "MANUAL", with_dependents=False)
        incremental = run_child(WORKER, child_env)
        incremental_sf = salesforce_calls() - before
        inc_final = repository.get_run(last_tenant, again["runId"]) or {}
    finally:
        org_server.stop()
        aws_server.stop()

    writes = {"BatchWriteItem", "PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}
    full_writes = sum(n for op, n in full["calls"].items() if op in writes)
    inc_writes = sum(n for op, n in incremental["calls"].items() if op in writes)
    pages = -(-accounts // 2000)
    batched = ("BatchWriteItem", "TransactWriteItems")
    per_company = sum(full["work"].get(op, 0) for op in batched) / accounts
    write_target = math.ceil(per_company * accounts / 25) + 10
    ratios = [w["elapsed"] / f["elapsed"] for w, f in zip(workers, floors, strict=True)]
    units = {"BatchWriteItem": "items", "TransactWriteItems": "actions", "BatchGetItem": "keys"}

    def work(figures: dict[str, Any]) -> str:
        return ", ".join(
            f"{op} {figures['work'].get(op, 0):,} {unit} in {figures['calls'].get(op, 0):,} calls"
            for op, unit in units.items()
        )

    same = all(
        w["work"].get(op, 0) == f["work"].get(op, 0) for w, f in zip(workers, floors, strict=True) for op in units
    )
    cancelled = sum(sum(f["cancelled"].values()) for f in floors)
    spent = sorted(full["seconds"].items(), key=lambda kv: -kv[1])
    return [
        ("accounts (N)", f"{accounts:,} (seeded in {seeded:.1f} s)"),
        ("run status / inserted", f"{final.get('status')} / {(final.get('counts') or {}).get('inserted')}"),
        ("Salesforce calls (target ≤ ⌈N/2000⌉ + 5)", f"{full_sf} (target {pages + 5})"),
        ("DynamoDB calls by operation", ", ".join(f"{op} {n}" for op, n in sorted(full["calls"].items()))),
        (
            "items written per company (I: BatchWriteItem items + TransactWriteItems actions, / N)",
            f"{per_company:.2f}",
        ),
        ("DynamoDB write calls (target ≤ ⌈I·N/25⌉ + 10)", f"{full_writes} (target {write_target})"),
        ("records/s (moto server)", f"{accounts / full['elapsed']:,.0f}"),
        ("worker peak RSS", f"{full['rss_kb'] / 1024:.0f} MB (target ≤ 256)"),
        ("the sync's DynamoDB work (first run)", work(full)),
        (
            f"floor: that work replayed, reads and writes {floors[0]['concurrency']} calls at a time each (first run)",
            work(floors[0]) + f"; cancelled transactions {cancelled}",
        ),
        ("worker and floor: the same BatchWriteItem, TransactWriteItems, BatchGetItem work", "yes" if same else "NO"),
        (
            f"sync wall time / floor, median of {len(ratios)} runs (min..max) (target ≤ 1.5)",
            f"{spread([w['elapsed'] for w in workers], ' s')} / {spread([f['elapsed'] for f in floors], ' s')}"
            f" = {spread(ratios)}",
        ),
        (
            "where the sync's time went (first run): seconds inside DynamoDB calls, by operation",
            ", ".join(f"{op} {sec:.1f}" for op, sec in spent)
            + f" (sum {sum(full['seconds'].values()):.1f} of {full['elapsed']:.1f} s wall; more when calls overlap)",
        ),
        (
            "incremental, 1% changed: status / updated",
            f"{inc_final.get('status')} / {(inc_final.get('counts') or {}).get('updated')}",
        ),
        ("incremental: Salesforce calls", str(incremental_sf)),
        (
            "incremental: DynamoDB write calls (target ≤ ⌈changed/25⌉ + 10)",
            f"{inc_writes} (target {-(-changed // 25) + 10})",
        ),
    ]
