"""Users list on a 10,000-user tenant: DynamoDB calls, items read and latency of one
page of 25 along the access path the query planner picks (objects/planner.py): an
index in the requested order, read until the page is full. In-process moto: latency
here says little about DynamoDB (moto walks the whole table for a GSI query); items
read is the figure that carries over."""

from __future__ import annotations

import time
from typing import Any

USERS = 10_000


def measure(users: int = USERS) -> list[tuple[str, int, int, float]]:
    """Rows of (case, DynamoDB calls, items read, milliseconds)."""
    from bench.moto_stack import count_calls_and_items, in_process_stack
    from cscore.auth import service as auth
    from cscore.platform import aws, clock, config, keys
    from cscore.query import QueryRequest
    from cscore.tenants import service as tenants
    from cscore.users import listing, repository

    with in_process_stack():
        tenant = tenants.create_tenant("Ten thousand")
        principal = auth.authenticate({"accesskey": tenant["accessKey"]})
        client = aws.dynamodb()
        puts: list[Any] = []
        for i in range(users):
            user: dict[str, Any] = {"Gsid": f"1P01BENCH{i:027d}", "Name": f"User {i:05d}", "Email": f"u{i}@x.io"}
            user |= {"SFDCUserName": f"u{i}@x.io", "IsActiveUser": True, "ModifiedDate": clock.iso()}
            for _, actions in repository.insert_transactions(tenant["tenantId"], [user]):
                puts += [{"PutRequest": {"Item": a["Put"]["Item"]}} for a in actions if "Put" in a]
        for start in range(0, len(puts), 25):
            client.batch_write_item(RequestItems={config.tenant_table(): puts[start : start + 25]})
        client.update_item(
            TableName=config.tenant_table(),
            Key=keys.counter(tenant["tenantId"], "User"),
            UpdateExpression="SET #t = :n",
            ExpressionAttributeNames={"#t": "total"},
            ExpressionAttributeValues={":n": {"N": str(users + 1)}},
        )

        calls, items = count_calls_and_items(client)
        cases: dict[str, dict[str, Any]] = {
            "25 newest (orderBy ModifiedDate desc), includeTotal": {
                "orderBy": {"ModifiedDate": "desc"},
                "includeTotal": True,
            },
            "25 by Name asc": {"orderBy": {"Name": "asc"}},
            "25 by Name, page 3": {"orderBy": {"Name": "asc"}, "page": 3},
            # The Name index read in order until 25 names contain '99' (a total would
            # need every user: past objects.candidates.MAX_READ, a 400).
            "25 filtered (Name CONTAINS '99'), by Name": {
                "where": {"conditions": [{"name": "Name", "operator": "CONTAINS", "value": ["99"]}]},
                "orderBy": {"Name": "asc"},
            },
        }
        rows = []
        for label, extra in cases.items():
            calls.clear()
            items.clear()
            started = time.perf_counter()
            data = listing.list_users(
                principal, QueryRequest.model_validate({"select": ["Name", "Email"], "limit": 25, **extra})
            )
            elapsed = (time.perf_counter() - started) * 1000
            assert data["size"] == 25, data["size"]
            rows.append((label, len(calls), sum(items), elapsed))
    return rows
