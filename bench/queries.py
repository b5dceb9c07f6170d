"""Object query shapes on a tenant of N companies and M users (in-process moto with the
local stack's Query, loaded through the bulk store): for each access path the planner
picks (objects/planner.py), the DynamoDB calls, items read and latency of one page, next
to its target; ten pages of keyset extraction; and the 400 a query past the bound answers.

Targets (issue 16): an indexed shape reads at most 3 x limit + 100 items; a filtered
page read along an index in the query's order, stopping early, at most
(offset + limit) / selectivity + 100, the selectivity counted on the generated data.
Items read is the figure that carries over to DynamoDB; moto's latency says little."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

COMPANIES = 100_000
USERS = 10_000
WRITE_BATCH = 1_000  # records per bulk store upsert: those share one ModifiedDate
FLUSH = 5_000  # records per bulk store flush
EXTRACT_PAGES = 10
EXTRACT_LIMIT = 5_000
CSMS = 10  # the first users are the companies' CSMs, in turn
MAX_READ = 10_000  # objects.candidates.MAX_READ: past it, a query no index serves is a 400

Row = tuple[str, int, int, float, str, str, str]  # shape, calls, items, ms, answer, target, holds


def _where(*conditions: tuple[str, str, list[Any]], expression: str | None = None) -> dict[str, Any]:
    where: dict[str, Any] = {
        "conditions": [
            {"name": n, "operator": op, "value": v, "alias": chr(ord("A") + i)}
            for i, (n, op, v) in enumerate(conditions)
        ]
    }
    return where | ({"expression": expression} if expression else {})


def load(tenant_id: str, actor: str, shape: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` inserted through the bulk store, as the sync and imports write them."""
    from cscore.objects.bulk import BulkStore

    made: list[dict[str, Any]] = []
    for start in range(0, len(rows), FLUSH):
        store = BulkStore(tenant_id, shape, actor)
        for first in range(start, min(start + FLUSH, len(rows)), WRITE_BATCH):
            made += store.upsert([(None, r) for r in rows[first : min(first + WRITE_BATCH, start + FLUSH)]])
        store.flush()
    return made


def indexed(limit: int) -> tuple[int, str]:
    """The target of a page an index serves: (items, how it is computed)."""
    return 3 * limit + 100, "3 x limit + 100"


def filtered(offset: int, limit: int, selectivity: float, last_needed_at: int | None = None) -> tuple[int, str]:
    """The target of a filtered page read in index order until full. It assumes matches
    spread evenly over that order; ``last_needed_at`` (where the data make it differ) is
    the position of the (offset + limit)-th match in it: the fewest items any read in that
    order can go through, shown beside the target."""
    how = f"(offset + limit) / {selectivity:.3g} + 100"
    if last_needed_at is not None:
        how += f"; in this order the {offset + limit}th match is item {last_needed_at:,}"
    return math.ceil((offset + limit) / selectivity) + 100, how


def judged(label: str, calls: int, read: int, ms: float, answer: str, target: tuple[int, str] | None) -> Row:
    """A table row with its target and whether it holds; ``target`` None: the shape no
    index serves, which past the bound is a 400 after the object's counter alone."""
    if target is None:
        if "400" in answer:
            return label, calls, read, ms, answer, "400 GSOBJ_1013 after the counter", "yes" if read <= 1 else "NO"
        return label, calls, read, ms, answer, f"every record while ≤ {MAX_READ:,}", "yes"
    return label, calls, read, ms, answer, f"≤ {target[0]:,} ({target[1]})", "yes" if read <= target[0] else "NO"


def measure(companies: int = COMPANIES, users: int = USERS) -> tuple[list[Row], list[Row], dict[str, str]]:
    """Rows of (shape, DynamoDB calls, items read, ms, answer, target, holds) of the
    object queries and of the users list (bench/users_list.py's pages) on the same
    tenant, and notes (load times, selectivities)."""
    from bench.moto_stack import count_calls_and_items, in_process_stack
    from bench.users_list import INACTIVE_EVERY
    from bench.users_list import cases as user_cases
    from cscore.auth import service as auth
    from cscore.catalog import COMPANY, COMPANY_TEAM, USER
    from cscore.errors import ApiError
    from cscore.objects.query import query_objects
    from cscore.platform import aws
    from cscore.query import QueryRequest
    from cscore.tenants import service as tenants
    from cscore.users import listing

    notes: dict[str, str] = {}
    with in_process_stack():
        tenant = tenants.create_tenant("Query shapes")
        tenant_id, admin_gsid = tenant["tenantId"], tenant["superAdminGsid"]
        principal = auth.authenticate({"accesskey": tenant["accessKey"]})
        started = time.perf_counter()
        people = load(
            tenant_id,
            admin_gsid,
            USER.shape,
            [{"SFDCUserName": f"u{i}@x.io", "Email": f"u{i}@x.io", "Name": f"User {i:05d}",
              "IsActiveUser": i % INACTIVE_EVERY != 0} for i in range(users)],
        )  # fmt: skip
        csms = people[:CSMS]
        loaded_users = time.perf_counter() - started
        started = time.perf_counter()
        made = load(
            tenant_id,
            admin_gsid,
            COMPANY.shape,
            [{"Name": f"Company {i:06d}", "SfdcAccountId": f"001Q{i:014d}", "Csm": csms[i % CSMS]["Gsid"],
              "Industry": "Energy" if i % 10 == 0 else "Retail"} for i in range(companies)],
        )  # fmt: skip
        load(
            tenant_id,
            admin_gsid,
            COMPANY_TEAM.shape,
            [{"CompanyId": c["Gsid"], "UserId": csms[0]["Gsid"], "UserAccess": "Member"} for c in made[:200]],
        )
        loaded = time.perf_counter() - started
        notes["load"] = (
            f"{users:,} users in {loaded_users:.0f} s, {companies:,} companies and 200 Company Team records "
            f"in {loaded:.0f} s (bulk store, {WRITE_BATCH:,} records a ModifiedDate)"
        )
        energy = sum(1 for c in made if c["Industry"] == "Energy") / len(made)
        csm3 = sum(1 for c in made if c["Csm"] == csms[3]["Gsid"]) / len(made)
        notes["selectivity"] = f"Industry EQ Energy {energy:.3g}, Csm__gr.Email EQ one CSM's {csm3:.3g}"
        middle = made[len(made) // 2]["ModifiedDate"]
        window = (made[len(made) // 3]["ModifiedDate"], made[len(made) // 3 + WRITE_BATCH - 1]["ModifiedDate"])
        early = made[min(len(made) - 1, len(made) // 4 + WRITE_BATCH)]["ModifiedDate"]
        some = made[:: max(1, len(made) // 10)][:10]

        calls, items = count_calls_and_items(aws.dynamodb())
        select = {"select": ["Gsid", "Name", "ModifiedDate"]}
        cases: list[tuple[str, str, dict[str, Any], tuple[int, str] | None]] = [
            ("Gsid EQ", "Company", {"where": _where(("Gsid", "EQ", [made[7]["Gsid"]])), "limit": 10}, indexed(10)),
            ("Gsid IN (10 GSIDs)", "Company", {"where": _where(("Gsid", "IN", [c["Gsid"] for c in some])), "limit": 10},
             indexed(10)),
            ("Name EQ (Company Name)", "Company", {"where": _where(("Name", "EQ", ["company 000042"])), "limit": 10},
             indexed(10)),
            ("Name IN (10 names)", "Company", {"where": _where(("Name", "IN", [c["Name"] for c in some])), "limit": 10},
             indexed(10)),
            ("SfdcAccountId EQ", "Company", {"where": _where(("SfdcAccountId", "EQ", [f"001Q{7:014d}"])), "limit": 10},
             indexed(10)),
            ("SfdcAccountId IN (10)", "Company",
             {"where": _where(("SfdcAccountId", "IN", [c["SfdcAccountId"] for c in some])), "limit": 10},
             indexed(10)),
            ("CompanyTeam CompanyId EQ (reference)", "CompanyTeam",
             {"select": ["Gsid", "UserId"], "where": _where(("CompanyId", "EQ", [made[3]["Gsid"]])), "limit": 10},
             indexed(10)),
            ("CompanyTeam UserId EQ (reference, 200 records), limit 100", "CompanyTeam",
             {"select": ["Gsid", "CompanyId"], "where": _where(("UserId", "EQ", [csms[0]["Gsid"]])), "limit": 100},
             indexed(100)),
            ("ModifiedDate GTE (second half), orderBy ModifiedDate, limit 100", "Company",
             {"where": _where(("ModifiedDate", "GTE", [middle])), "orderBy": {"ModifiedDate": "asc"}, "limit": 100},
             indexed(100)),
            ("ModifiedDate BTW (1,000 records), orderBy ModifiedDate, Gsid, limit 1000", "Company",
             {"where": _where(("ModifiedDate", "BTW", list(window))),
              "orderBy": {"ModifiedDate": "asc", "Gsid": "asc"}, "limit": 1000},
             indexed(1000)),
            ("ModifiedDate LT (first quarter), orderBy ModifiedDate desc, limit 100", "Company",
             {"where": _where(("ModifiedDate", "LT", [early])), "orderBy": {"ModifiedDate": "desc"}, "limit": 100},
             indexed(100)),
            ("Name STARTS_WITH 'company 0001' (100 names), limit 100", "Company",
             {"where": _where(("Name", "STARTS_WITH", ["company 0001"])), "limit": 100}, indexed(100)),
            ("Industry EQ (not indexed), orderBy ModifiedDate desc, limit 10", "Company",
             {"where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ModifiedDate": "desc"}, "limit": 10},
             filtered(0, 10, energy)),
            ("Industry EQ (not indexed), orderBy Name, offset 50, limit 25", "Company",
             {"where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"Name": "asc"}, "offset": 50, "limit": 25},
             filtered(50, 25, energy)),
            ("Csm__gr.Email EQ (lookup path), orderBy Name, limit 25", "Company",
             {"where": _where(("Csm__gr.Email", "EQ", ["u3@x.io"])), "orderBy": {"Name": "asc"}, "limit": 25},
             filtered(0, 25, csm3)),
            ("Industry EQ, orderBy ARR (no index: unbounded)", "Company",
             {"where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ARR": "desc"}, "limit": 10}, None),
        ]  # fmt: skip

        def run(obj: str, body: dict[str, Any]) -> tuple[list[dict[str, Any]], str, float]:
            started = time.perf_counter()
            try:
                found = query_objects(principal, obj, QueryRequest.model_validate({**select, **body}))["records"]
                answer = f"200, {len(found)} rows"
            except ApiError as exc:
                found, answer = [], f"{exc.status} {exc.code}"
            return found, answer, (time.perf_counter() - started) * 1000

        rows: list[Row] = []

        def measured(label: str, target: tuple[int, str] | None, call: Callable[[], tuple[Any, str, float]]) -> Any:
            calls.clear()
            items.clear()
            found, answer, ms = call()
            rows.append(judged(label, len(calls), sum(items), ms, answer, target))
            return found

        for label, obj, body, target in cases:
            measured(label, target, lambda obj=obj, body=body: run(obj, body))  # type: ignore[misc]

        # Keyset extraction: each page from the previous page's last ModifiedDate and Gsid.
        order = {"ModifiedDate": "asc", "Gsid": "asc"}
        last: dict[str, Any] | None = None
        since = made[0]["ModifiedDate"]
        for page in range(1, EXTRACT_PAGES + 1):
            if last is None:
                body = {"where": _where(("ModifiedDate", "GTE", [since])), "orderBy": order, "limit": EXTRACT_LIMIT}
            else:
                body = {
                    "where": _where(
                        ("ModifiedDate", "GTE", [last["ModifiedDate"]]),
                        ("ModifiedDate", "GT", [last["ModifiedDate"]]),
                        ("Gsid", "GT", [last["Gsid"]]),
                        expression="A AND (B OR C)",
                    ),
                    "orderBy": order,
                    "limit": EXTRACT_LIMIT,
                }
            label = f"keyset extraction page {page}: ModifiedDate GTE x, orderBy ModifiedDate, Gsid, limit 5000"
            found = measured(label, indexed(EXTRACT_LIMIT), lambda body=body: run("Company", body))  # type: ignore[misc]
            if not found:
                break
            last = found[-1]

        def listed(body: dict[str, Any]) -> tuple[list[dict[str, Any]], str, float]:
            started = time.perf_counter()
            data = listing.list_users(
                principal, QueryRequest.model_validate({"select": ["Name", "Email"], "limit": 25, **body})
            )
            return data["users"], f"200, {data['size']} rows", (time.perf_counter() - started) * 1000

        object_rows, rows = rows, []
        for label, body, target in user_cases(users):
            measured(label, target, lambda body=body: listed(body))  # type: ignore[misc]
    return object_rows, rows, notes
