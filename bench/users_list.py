"""Users list on a 10,000-user tenant: DynamoDB calls, items read and latency of one
page along the access path the query planner picks (objects/planner.py), next to its
target (bench/queries.py: 3 x limit + 100 for an indexed page; (offset + limit) /
selectivity + 100 for a filtered page read in index order until it is full).
Users are written through the bulk store. In-process moto with the local stack's Query:
items read is the figure that carries over."""

from __future__ import annotations

import time
from typing import Any

USERS = 10_000
INACTIVE_EVERY = 10  # every tenth user is inactive: a filter spread evenly over names


def cases(users: int) -> list[tuple[str, dict[str, Any], tuple[int, str]]]:
    """(label, list body, (target, how)) of the users list's page shapes on ``users``
    users named ``User 00000``..., mailed ``u<i>@x.io``, every tenth inactive."""
    from bench.queries import filtered, indexed

    matching = [i for i in range(users) if "99" in f"User {i:05d}"]  # names sort as i does
    contains = len(matching) / users
    page_full_at = matching[24] + 1  # the 25th match's place in Name order
    inactive = sum(1 for i in range(users) if i % INACTIVE_EVERY == 0) / users
    return [
        ("25 newest (orderBy ModifiedDate desc), includeTotal",
         {"orderBy": {"ModifiedDate": "desc"}, "includeTotal": True}, indexed(25)),
        ("25 by Name asc", {"orderBy": {"Name": "asc"}}, indexed(25)),
        ("25 by Name, page 3", {"orderBy": {"Name": "asc"}, "page": 3}, indexed(75)),
        ("Email EQ", {"where": _where(("Email", "EQ", ["u4242@x.io"]))}, indexed(25)),
        ("Email IN (10)", {"where": _where(("Email", "IN", [f"u{i * 997}@x.io" for i in range(10)]))}, indexed(25)),
        ("Name STARTS_WITH 'user 012' (100 names)",
         {"where": _where(("Name", "STARTS_WITH", ["user 012"])), "limit": 100}, indexed(100)),
        # Filters no index serves: the Name index read in order until 25 match (a
        # total would need every user: past objects.candidates.MAX_READ, a 400).
        ("25 inactive (IsActiveUser EQ false, 1 in 10 evenly), by Name",
         {"where": _where(("IsActiveUser", "EQ", [False])), "orderBy": {"Name": "asc"}}, filtered(0, 25, inactive)),
        ("25 filtered (Name CONTAINS '99'), by Name",
         {"where": _where(("Name", "CONTAINS", ["99"])), "orderBy": {"Name": "asc"}},
         filtered(0, 25, contains, page_full_at)),
    ]  # fmt: skip


def _where(*conditions: tuple[str, str, list[Any]]) -> dict[str, Any]:
    return {"conditions": [{"name": n, "operator": op, "value": v} for n, op, v in conditions]}


def measure(users: int = USERS) -> list[tuple[str, int, int, float, str, str, str]]:
    """Rows of (case, DynamoDB calls, items read, ms, answer, target, holds)."""
    from bench.moto_stack import count_calls_and_items, in_process_stack
    from bench.queries import judged, load
    from cscore.auth import service as auth
    from cscore.catalog import USER
    from cscore.platform import aws
    from cscore.query import QueryRequest
    from cscore.tenants import service as tenants
    from cscore.users import listing

    with in_process_stack():
        tenant = tenants.create_tenant("Ten thousand")
        principal = auth.authenticate({"accesskey": tenant["accessKey"]})
        rows_in = [
            {"Name": f"User {i:05d}", "Email": f"u{i}@x.io", "SFDCUserName": f"u{i}@x.io",
             "IsActiveUser": i % INACTIVE_EVERY != 0}
            for i in range(users)
        ]  # fmt: skip
        load(tenant["tenantId"], tenant["superAdminGsid"], USER.shape, rows_in)
        client = aws.dynamodb()
        calls, items = count_calls_and_items(client)
        rows = []
        for label, extra, target in cases(users):
            calls.clear()
            items.clear()
            started = time.perf_counter()
            data = listing.list_users(
                principal, QueryRequest.model_validate({"select": ["Name", "Email"], "limit": 25, **extra})
            )
            elapsed = (time.perf_counter() - started) * 1000
            answer = f"200, {data['size']} rows"
            rows.append(judged(label, len(calls), sum(items), elapsed, answer, target))
    return rows
