"""Company data permissions on a tenant of 10,000 companies (in-process moto): the
access check's DynamoDB calls (beyond authentication and rate limiting, which the
request pays anyway), and a Company query by a team-restricted user who sees 50 of
them (25 as a member, 25 as a manager) — calls and items read, which should follow
the 50, not the 10,000."""

from __future__ import annotations

import time
from typing import Any

COMPANIES = 10_000
VISIBLE = 50


def measure(companies: int = COMPANIES) -> list[tuple[str, int, int, float]]:
    """Rows of (case, DynamoDB calls, items read, milliseconds)."""
    from bench.moto_stack import count_calls_and_items, in_process_stack
    from cscore.auth.principal import Principal
    from cscore.catalog import COMPANY, COMPANY_TEAM, USER
    from cscore.objects.bulk import BulkStore
    from cscore.objects.query import query_objects
    from cscore.permissions import access
    from cscore.platform import aws, config, keys, table
    from cscore.query import QueryRequest
    from cscore.tenants import service as tenants
    from cscore.users import managers

    with in_process_stack():
        tenant = tenants.create_tenant("Ten thousand companies")
        tenant_id, admin = tenant["tenantId"], tenant["superAdminGsid"]
        users = BulkStore(tenant_id, USER.shape, admin)
        boss, rep = users.upsert(
            [(None, {"SFDCUserName": f"{n}@b.example", "Email": f"{n}@b.example", "Name": n}) for n in ("boss", "rep")]
        )
        users.upsert([(rep, {"Manager": boss["Gsid"]})])
        users.flush()
        store = BulkStore(tenant_id, COMPANY.shape, admin)
        made = store.upsert([(None, {"Name": f"Company {i:05d}", "Industry": "Energy"}) for i in range(companies)])
        store.flush()
        team = BulkStore(tenant_id, COMPANY_TEAM.shape, admin)
        half = VISIBLE // 2
        rows: list[tuple[Any, dict[str, Any]]] = []
        for company in made[:half]:  # the boss is on these teams
            rows.append((None, {"CompanyId": company["Gsid"], "UserId": boss["Gsid"], "UserAccess": "Member"}))
        for company in made[half:VISIBLE]:  # the boss manages the rep on these
            member = {"CompanyId": company["Gsid"], "UserId": rep["Gsid"], "UserManagerRole1": boss["Gsid"]}
            rows.append((None, member | {"UserAccess": "Member"}))
        team.upsert(rows)
        team.flush()
        tenant_item = table.read_one(keys.tenant(tenant_id)) or {}
        as_boss = Principal(tenant_id, "Bench", boss["Gsid"], False, "ACCESS_KEY", "k", {}, tenant_item)
        as_admin = Principal(tenant_id, "Bench", admin, True, "ACCESS_KEY", "k", {}, tenant_item)

        client = aws.dynamodb()
        calls, items = count_calls_and_items(client)
        results = []
        cases = {
            "access check: member of the team": lambda: access.check(as_admin, boss["Gsid"], made[0]["Gsid"]),
            "access check: manager (level 1) of a member": lambda: access.check(
                as_admin, boss["Gsid"], made[half]["Gsid"]
            ),
            "access check: no access": lambda: access.check(as_admin, boss["Gsid"], made[-1]["Gsid"]),
            f"Company query by a team-restricted user ({VISIBLE} of {companies:,} visible)": lambda: query_objects(
                as_boss, "Company", QueryRequest.model_validate({"select": ["Gsid", "Name"], "limit": 5000})
            ),
        }
        big_boss = users.upsert([(None, {"SFDCUserName": "vp@b.example", "Email": "vp@b.example", "Name": "vp"})])[0]
        users.flush()

        def promote() -> dict[str, Any]:
            # The boss gets a manager: the boss's own records gain level 1, the rep's (boss
            # at level 1) gain level 2.
            client.update_item(
                TableName=config.tenant_table(),
                Key=keys.user(tenant_id, boss["Gsid"]),
                UpdateExpression="SET Manager = :m",
                ExpressionAttributeValues={":m": {"S": big_boss["Gsid"]}},
            )
            return {"changed": managers.refresh_for_users(tenant_id, [boss["Gsid"]])}

        cases[f"manager change: {VISIBLE} Company Team records updated"] = promote
        for label, run in cases.items():
            calls.clear()
            items.clear()
            started = time.perf_counter()
            answer = run()
            elapsed = (time.perf_counter() - started) * 1000
            if "records" in answer:
                assert len(answer["records"]) == VISIBLE, len(answer["records"])
            if "changed" in answer:
                assert answer["changed"] == VISIBLE, answer
            results.append((label, len(calls), sum(items), elapsed))
    return results
