"""Object query shapes on a tenant of N companies (in-process moto, loaded through the
bulk store): for each access path the planner picks (objects/planner.py), the DynamoDB
calls, items read and latency of one page, and the 400 a query past the bound answers.
Items read is the figure that carries over to DynamoDB; moto's latency says little (it
walks a whole table for a GSI query)."""

from __future__ import annotations

import time
from typing import Any

COMPANIES = 2_000
BATCH = 5_000  # companies per bulk store flush


def _where(*conditions: tuple[str, str, list[Any]]) -> dict[str, Any]:
    return {"conditions": [{"name": n, "operator": op, "value": v} for n, op, v in conditions]}


def measure(companies: int = COMPANIES) -> list[tuple[str, int, int, float, str]]:
    """Rows of (shape, DynamoDB calls, items read, milliseconds, answer)."""
    from bench.moto_stack import count_calls_and_items, in_process_stack
    from cscore.auth import service as auth
    from cscore.catalog import COMPANY, COMPANY_TEAM, USER
    from cscore.errors import ApiError
    from cscore.objects.bulk import BulkStore
    from cscore.objects.query import query_objects
    from cscore.platform import aws, clock
    from cscore.query import QueryRequest
    from cscore.tenants import service as tenants

    with in_process_stack():
        tenant = tenants.create_tenant("Query shapes")
        tenant_id, admin_gsid = tenant["tenantId"], tenant["superAdminGsid"]
        principal = auth.authenticate({"accesskey": tenant["accessKey"]})
        users = BulkStore(tenant_id, USER.shape, admin_gsid)
        csms = users.upsert(
            [(None, {"SFDCUserName": f"csm{i}@q.example", "Email": f"csm{i}@q.example", "Name": f"Csm {i}"})
             for i in range(10)]
        )  # fmt: skip
        users.flush()
        made: list[dict[str, Any]] = []
        for start in range(0, companies, BATCH):
            store = BulkStore(tenant_id, COMPANY.shape, admin_gsid)
            made += store.upsert(
                [(None, {"Name": f"Company {i:06d}", "SfdcAccountId": f"001Q{i:014d}", "Csm": csms[i % 10]["Gsid"],
                         "Industry": "Energy" if i % 10 == 0 else "Retail"})
                 for i in range(start, min(start + BATCH, companies))]
            )  # fmt: skip
            store.flush()
        middle = made[len(made) // 2]["ModifiedDate"]
        team = BulkStore(tenant_id, COMPANY_TEAM.shape, admin_gsid)
        team.upsert(
            [(None, {"CompanyId": c["Gsid"], "UserId": csms[0]["Gsid"], "UserAccess": "Member"}) for c in made[:200]]
        )
        team.flush()
        since = clock.iso(clock.now() - 3600)

        calls, items = count_calls_and_items(aws.dynamodb())
        select = {"select": ["Gsid", "Name", "ModifiedDate"]}
        cases: dict[str, tuple[str, dict[str, Any]]] = {
            "Gsid IN (10 GSIDs)": ("Company", {"where": _where(("Gsid", "IN", [c["Gsid"] for c in made[:10]]))}),
            "Name EQ (lookup index item)": ("Company", {"where": _where(("Name", "EQ", ["company 000042"]))}),
            "SfdcAccountId EQ (lookup index item)": (
                "Company",
                {"where": _where(("SfdcAccountId", "EQ", [f"001Q{7:014d}"]))},
            ),
            "ModifiedDate GTE (second half), orderBy ModifiedDate, limit 100": (
                "Company",
                {"where": _where(("ModifiedDate", "GTE", [middle])), "orderBy": {"ModifiedDate": "asc"}, "limit": 100},
            ),
            "ModifiedDate GT (last hour), orderBy ModifiedDate, Gsid, limit 1000": (
                "Company",
                {
                    "where": _where(("ModifiedDate", "GT", [since])),
                    "orderBy": {"ModifiedDate": "asc", "Gsid": "asc"},
                    "limit": 1000,
                },
            ),
            "Name STARTS_WITH 'company 0001' (100 names)": (
                "Company",
                {"where": _where(("Name", "STARTS_WITH", ["company 0001"])), "limit": 100},
            ),
            "Industry EQ (1 in 10), orderBy ModifiedDate desc, limit 10": (
                "Company",
                {"where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ModifiedDate": "desc"}, "limit": 10},
            ),
            "Csm__gr.Email EQ (1 in 10), orderBy Name, limit 25": (
                "Company",
                {"where": _where(("Csm__gr.Email", "EQ", ["csm3@q.example"])), "orderBy": {"Name": "asc"}, "limit": 25},
            ),
            "CompanyTeam UserId EQ (200 records)": (
                "CompanyTeam",
                {"select": ["Gsid", "CompanyId"], "where": _where(("UserId", "EQ", [csms[0]["Gsid"]]))},
            ),
            "Industry EQ, orderBy ARR (no index order: every record)": (
                "Company",
                {"where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ARR": "desc"}, "limit": 10},
            ),
        }
        rows = []
        for label, (obj, body) in cases.items():
            calls.clear()
            items.clear()
            started = time.perf_counter()
            try:
                found = query_objects(principal, obj, QueryRequest.model_validate({**select, **body}))["records"]
                answer = f"200, {len(found)} rows"
            except ApiError as exc:
                answer = f"{exc.status} {exc.code}"
            elapsed = (time.perf_counter() - started) * 1000
            rows.append((label, len(calls), sum(items), elapsed, answer))
    return rows
