"""Reads at scale over HTTP (SPEC §4b, issue 16): on a tenant of 20,000 companies and
500 users in the local stack, each indexed query shape answers 200 with the right
rows, and a query that would read past the bound answers 400 ``GSOBJ_1013`` naming
what could serve it, instead of a 504.

The records are loaded through the product's bulk store (``objects.bulk.BulkStore``),
with cscore's own DynamoDB client pointed at the stack's embedded AWS, a hundred at a
time: company i is modified at T0 + (i rounded down to a hundred) seconds, so every
expected answer is known and ModifiedDate has ties, broken by Gsid as extractors page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from cscore.catalog import COMPANY, USER
from cscore.objects.bulk import BulkStore
from cscore.platform import aws, clock
from tests.integration.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(1200)]

COMPANIES = 20_000
USERS = 500
T0 = 1_700_000_000  # 2023-11-14T22:13:20Z
BATCH = 5_000  # rows a bulk store holds before its flush
SECOND = 100  # companies upserted at one instant


def _company(i: int) -> dict[str, Any]:
    return {
        "Name": f"Company {i:05d}",
        "SfdcAccountId": f"001S{i:014d}",
        "Industry": "Energy" if i % 10 == 0 else "Retail",
        "ARR": i,
    }


@pytest.fixture(scope="module")
def big(stack: LocalStack) -> Iterator[dict[str, Any]]:
    """A tenant of 20,000 companies and 500 users (plus its super admin), loaded through
    the bulk store; its rate limits raised so the test's requests are never throttled."""
    tenant = stack.csadmin("tenant", "create", "--name", "Reads at scale")
    tenant_id, admin = tenant["tenantId"], tenant["superAdminGsid"]
    saved = pytest.MonkeyPatch()
    for name, value in stack.env().items():
        saved.setenv(name, value)
    aws.dynamodb.cache_clear()
    try:
        users = BulkStore(tenant_id, USER.shape, admin)
        clock.set_clock(lambda: float(T0))
        user_rows = users.upsert(
            [(None, {"Name": f"User {i:04d}", "Email": f"user{i:04d}@scale.example",
                     "SFDCUserName": f"user{i:04d}@scale.example"}) for i in range(USERS)]
        )  # fmt: skip
        users.flush()
        companies: list[dict[str, Any]] = []
        for start in range(0, COMPANIES, BATCH):
            store = BulkStore(tenant_id, COMPANY.shape, admin)
            for first in range(start, start + BATCH, SECOND):
                at = float(T0 + first)
                clock.set_clock(lambda at=at: at)  # the store stamps ModifiedDate as rows are upserted
                companies += store.upsert([(None, _company(i)) for i in range(first, first + SECOND)])
            store.flush()
    finally:
        clock.set_clock(None)
        saved.undo()
        aws.dynamodb.cache_clear()
    stack.set_limit(tenant_id, "standard", "minute", 10_000)
    yield {"tenant": tenant, "companies": companies, "users": user_rows}


def _post(stack: LocalStack, big: dict[str, Any], path: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{stack.api}{path}", headers={"accesskey": big["tenant"]["accessKey"]}, json=body, timeout=30)


def _where(*conditions: tuple[str, str, list[Any]], expression: str | None = None) -> dict[str, Any]:
    where: dict[str, Any] = {
        "conditions": [
            {"name": n, "alias": "ABCDEFGH"[i], "operator": op, "value": v} for i, (n, op, v) in enumerate(conditions)
        ]
    }
    if expression:
        where["expression"] = expression
    return where


def _companies(stack: LocalStack, big: dict[str, Any], body: dict[str, Any]) -> list[dict[str, Any]]:
    answer = _post(stack, big, "/v1/data/objects/query/Company", {"select": ["Gsid", "Name", "ModifiedDate"], **body})
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()["data"]["records"]
    return rows


def _names(*numbers: int) -> list[str]:
    return [f"Company {i:05d}" for i in numbers]


def _millis(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp() * 1000)


def _modified(i: int) -> int:
    """Epoch milliseconds of company i's ModifiedDate."""
    return (T0 + i - i % SECOND) * 1000


def _extraction_order(big: dict[str, Any], numbers: range) -> list[dict[str, Any]]:
    """Those companies in (ModifiedDate, Gsid) order, as the index keeps them."""
    return sorted((big["companies"][i] for i in numbers), key=lambda r: (r["ModifiedDate"], r["Gsid"]))


def test_each_indexed_shape_answers_the_right_rows(stack: LocalStack, big: dict[str, Any]) -> None:
    made = big["companies"]

    picked = [made[i]["Gsid"] for i in (3, 4_567, 19_999)]
    rows = _companies(stack, big, {"where": _where(("Gsid", "IN", picked)), "orderBy": {"Name": "asc"}})
    assert [r["Name"] for r in rows] == _names(3, 4_567, 19_999)

    rows = _companies(stack, big, {"where": _where(("Name", "EQ", ["company 12345"]))})
    assert [(r["Name"], r["Gsid"]) for r in rows] == [("Company 12345", made[12_345]["Gsid"])]

    rows = _companies(stack, big, {"where": _where(("SfdcAccountId", "EQ", [f"001S{777:014d}"]))})
    assert [r["Name"] for r in rows] == _names(777)

    rows = _companies(stack, big, {"where": _where(("Name", "STARTS_WITH", ["Company 012"])), "limit": 500})
    assert sorted(r["Name"] for r in rows) == _names(*range(1_200, 1_300))

    # Early termination: 1 in 10 is Energy, the newest ten of them (ties by Gsid, the
    # order's last key).
    body = {"where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ModifiedDate": "desc"}, "limit": 10}
    rows = _companies(stack, big, body)
    newest = _extraction_order(big, range(18_000, COMPANIES, 10))[::-1][:10]
    assert newest[0]["ModifiedDate"] == newest[-1]["ModifiedDate"] == clock.iso(T0 + 19_900)
    assert [(r["Name"], r["ModifiedDate"]) for r in rows] == [(c["Name"], _millis(c["ModifiedDate"])) for c in newest]


def test_keyset_extraction_reads_pages_in_modified_order(stack: LocalStack, big: dict[str, Any]) -> None:
    """What an incremental extractor sends: ModifiedDate after its watermark, ordered by
    ModifiedDate then Gsid, the next page after the last (ModifiedDate, Gsid) seen."""
    order = {"ModifiedDate": "asc", "Gsid": "asc"}
    expected = [c["Gsid"] for c in _extraction_order(big, range(19_000, COMPANIES))]
    first = _companies(
        stack, big, {"where": _where(("ModifiedDate", "GT", [_modified(18_999)])), "orderBy": order, "limit": 400}
    )
    assert [r["Gsid"] for r in first] == expected[:400]
    last = first[-1]
    after_last = _where(
        ("ModifiedDate", "GTE", [last["ModifiedDate"]]),
        ("ModifiedDate", "GT", [last["ModifiedDate"]]),
        ("Gsid", "GT", [last["Gsid"]]),
        expression="A AND (B OR C)",
    )
    second = _companies(stack, big, {"where": after_last, "orderBy": order, "limit": 400})
    assert [r["Gsid"] for r in second] == expected[400:800]


def test_a_read_past_the_bound_is_a_400_naming_what_could_serve(stack: LocalStack, big: dict[str, Any]) -> None:
    """An order no index keeps on the whole object: refused from the object's counter,
    before any record is read. (A walk in an index order that finds too few matches
    within the bound is refused too, once it has read 10,000 records: the unit tests
    show it with a lower bound, as reading 10,000 records takes the embedded AWS longer
    than the function's timeout on a busy machine.)"""
    unordered = {"select": ["Name"], "where": _where(("Industry", "EQ", ["Energy"])), "orderBy": {"ARR": "desc"}}
    answer = _post(stack, big, "/v1/data/objects/query/Company", {**unordered, "limit": 10})
    assert answer.status_code == 400, answer.text
    refused = answer.json()
    assert refused["errorCode"] == "GSOBJ_1013", refused
    for named in ("10,000 Company records", "Gsid", "Name", "SfdcAccountId", "ModifiedDate", "orderBy"):
        assert named in refused["errorDesc"], refused["errorDesc"]
    # Narrowed as the message says (a ModifiedDate range: the newest 1,000), it answers.
    narrowed = _where(("Industry", "EQ", ["Energy"]), ("ModifiedDate", "GTE", [_modified(19_000)]))
    rows = _companies(stack, big, {**unordered, "where": narrowed, "limit": 10})
    assert [r["Name"] for r in rows] == _names(*range(19_990, 19_890, -10))  # ARR is i


def test_the_users_list_filtered_with_its_total(stack: LocalStack, big: dict[str, Any]) -> None:
    def listed(body: dict[str, Any]) -> dict[str, Any]:
        answer = _post(stack, big, "/v1/users/services/list", {"select": ["Name", "Email"], **body})
        assert answer.status_code == 200, answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    data = listed(
        {"where": _where(("Name", "STARTS_WITH", ["user 01"])), "orderBy": {"Name": "asc"}, "limit": 25,
         "page": 1, "includeTotal": True}
    )  # fmt: skip
    assert data["total"] == 100
    assert [u["Name"] for u in data["users"]] == [f"User {i:04d}" for i in range(125, 150)]

    data = listed({"where": _where(("Email", "IN", ["user0007@scale.example", "USER0499@scale.example"])),
                   "includeTotal": True})  # fmt: skip
    assert data["total"] == 2 and sorted(u["Name"] for u in data["users"]) == ["User 0007", "User 0499"]

    # Unfiltered: the tenant's counter (its super admin and the 500 loaded).
    assert listed({"limit": 1, "includeTotal": True})["total"] == USERS + 1
