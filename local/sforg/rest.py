"""The REST API under /services/data: versions, query/queryAll with paging, replication, describe, limits.

Every call needs a live access token; every answer that can be tied to an org carries
Sforce-Limit-Info, and counts against the org's daily API allowance.
"""

from __future__ import annotations

import re
import time
from typing import Any

from werkzeug.wrappers import Request, Response

from sforg import ids, soql
from sforg.errors import SfError, not_found
from sforg.org import REPLICATION_WINDOW_MS, RETENTION_MS, Org, record_json
from sforg.schema import SOBJECTS, sobject
from sforg.state import Cursor, ServerState
from sforg.timefmt import floor_minute, format_dt, parse_dt
from sforg.wire import bearer, error_response, json_response

VERSIONS: dict[str, str] = {
    "55.0": "Summer '22",
    "56.0": "Winter '23",
    "57.0": "Spring '23",
    "58.0": "Summer '23",
    "59.0": "Winter '24",
    "60.0": "Spring '24",
    "61.0": "Summer '24",
    "62.0": "Winter '25",
    "63.0": "Spring '25",
    "64.0": "Summer '25",
}
REST_FAULTS = ("server_error", "request_limit", "invalid_session", "slow")
DEFAULT_BATCH = 2000
_VERSIONED = re.compile(r"^/services/data/v(\d+\.\d+)(/.*)?$")
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
_LOCATOR = re.compile(r"^(01g[0-9A-Za-z]{15})-(\d+)$")


def _invalid_session() -> SfError:
    return SfError(401, "INVALID_SESSION_ID", "Session expired or invalid")


def _limit_exceeded() -> SfError:
    return SfError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


def versions(state: ServerState, request: Request) -> Response:
    """GET /services/data/: no token needed."""
    base = [{"label": label, "url": f"/services/data/v{v}", "version": v} for v, label in VERSIONS.items()]
    response = json_response(base)
    with state.lock:
        _, org = state.access_token(bearer(request))
        if org is not None:
            used, limit = org.api_usage()
            response.headers["Sforce-Limit-Info"] = f"api-usage={used}/{limit}"
    return response


def handle(state: ServerState, request: Request) -> Response:
    """Authenticate, apply planned faults and the daily limit, then route."""
    match = _VERSIONED.match(request.path)
    value = bearer(request)
    with state.lock:
        token, org = state.access_token(value)
        fault = org.take_fault(REST_FAULTS, request.path) if org is not None else None
    if fault is not None and fault.kind == "slow":
        time.sleep(max(0.0, fault.delay))
        fault = None
    with state.lock:
        token, org = state.access_token(value)
        try:
            if fault is not None and fault.kind == "invalid_session":
                raise _invalid_session()
            if token is None or org is None:
                raise _invalid_session()
            if fault is not None and fault.kind == "server_error":
                status = fault.status if 500 <= fault.status <= 599 else 503
                raise SfError(status, "SERVER_UNAVAILABLE", "Server temporarily unavailable, please retry later.")
            if fault is not None and fault.kind == "request_limit":
                raise _limit_exceeded()
            if match is None or match.group(1) not in VERSIONS:
                raise not_found()
            if not org.count_api_call():
                raise _limit_exceeded()
            if request.method not in ("GET", "HEAD"):
                raise SfError(
                    405, "METHOD_NOT_ALLOWED", f"HTTP Method '{request.method}' not allowed. Allowed are GET,HEAD"
                )
            org.purge()
            response = _route(state, request, org, match.group(1), match.group(2) or "/")
        except SfError as err:
            response = error_response(err)
            if err.status == 401:
                response.headers["WWW-Authenticate"] = 'Token realm="Salesforce", error="invalid_token"'
        if org is not None:
            used, limit = org.api_usage()
            response.headers["Sforce-Limit-Info"] = f"api-usage={used}/{limit}"
            org.record_request(request.method, request.path, response.status_code)
    return response


def _route(state: ServerState, request: Request, org: Org, version: str, rest: str) -> Response:
    parts = [p for p in rest.split("/") if p]
    if not parts:
        base = f"/services/data/v{version}"
        return json_response(
            {name: f"{base}/{name}" for name in ("tooling", "query", "queryAll", "sobjects", "search", "limits")}
        )
    head = parts[0]
    if head == "limits" and len(parts) == 1:
        return json_response(_limits(org))
    if head in ("query", "queryAll"):
        if len(parts) == 1:
            return _query(state, request, org, version, include_deleted=head == "queryAll")
        if len(parts) == 2:
            return _next_page(state, request, org, version, parts[1])
        raise not_found()
    if head == "sobjects":
        return _sobjects(request, org, version, parts[1:])
    raise not_found()


def _limits(org: Org) -> dict[str, Any]:
    used, limit = org.api_usage()
    records = sum(len(t.rows) for t in org.tables.values())
    return {
        "DailyApiRequests": {"Max": limit, "Remaining": max(0, limit - used)},
        "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
        "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
        "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
        "DataStorageMB": {"Max": 1024, "Remaining": max(0, 1024 - records * 2 // 1024)},
        "FileStorageMB": {"Max": 1024, "Remaining": 1024},
        "ConcurrentSyncApexTransactions": {"Max": 10, "Remaining": 10},
    }


def _batch_size(request: Request, default: int = DEFAULT_BATCH) -> int:
    match = _BATCH.search(request.headers.get("Sforce-Query-Options", ""))
    if not match:
        return default
    return min(2000, max(200, int(match.group(1))))


def _query(state: ServerState, request: Request, org: Org, version: str, *, include_deleted: bool) -> Response:
    text = request.args.get("q", "")
    query = soql.parse(text)
    rows = soql.execute(query, org, include_deleted=include_deleted)
    if query.count_only:
        return json_response({"totalSize": len(rows), "done": True, "records": []})
    batch = _batch_size(request)
    cursor = Cursor(org.org_id, query, rows, batch, org.now_ms())
    locator = state.add_cursor(org, cursor) if len(rows) > batch else None
    return _page(org, cursor, locator, 0, batch, version)


def _next_page(state: ServerState, request: Request, org: Org, version: str, token: str) -> Response:
    match = _LOCATOR.match(token)
    cursor = state.cursor(org, match.group(1)) if match else None
    if match is None or cursor is None or int(match.group(2)) >= len(cursor.rows):
        raise SfError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    batch = _batch_size(request, cursor.batch_size)
    return _page(org, cursor, match.group(1), int(match.group(2)), batch, version)


def _page(org: Org, cursor: Cursor, locator: str | None, offset: int, batch: int, version: str) -> Response:
    rows = cursor.rows[offset : offset + batch]
    done = offset + batch >= len(cursor.rows)
    body: dict[str, Any] = {"totalSize": len(cursor.rows), "done": done}
    if not done:
        body["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{offset + batch}"
    body["records"] = [soql.project(cursor.query, org, r, version) for r in rows]
    return json_response(body)


def _sobjects(request: Request, org: Org, version: str, parts: list[str]) -> Response:
    if not parts:
        return json_response(
            {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [o.summary(version) for o in SOBJECTS.values()]}
        )
    sobj = sobject(parts[0])
    if sobj is None:
        raise not_found()
    if len(parts) == 1:
        return json_response({"objectDescribe": sobj.summary(version), "recentItems": []})
    if len(parts) != 2:
        raise not_found()
    if parts[1] == "describe":
        return json_response(sobj.describe(version))
    if parts[1] in ("updated", "deleted"):
        return _replication(request, org, sobj.name, parts[1])
    if not ids.is_valid(parts[1]) or not parts[1].startswith(sobj.key_prefix):
        raise SfError(400, "MALFORMED_ID", f"{sobj.name} ID: id value of incorrect type: {parts[1]}", ["Id"])
    record = org.get(sobj.name, parts[1])
    if record is None:
        raise not_found()
    if record.get("IsDeleted"):
        raise SfError(404, "ENTITY_IS_DELETED", "entity is deleted", [])
    body = record_json(sobj.name, record, version)
    wanted = request.args.get("fields")
    if wanted:
        keep = {"attributes"}
        for name in wanted.split(","):
            fdef = sobj.field(name.strip())
            if fdef is None:
                raise SfError(400, "INVALID_FIELD", f"No such column '{name.strip()}' on entity '{sobj.name}'.")
            keep.add(fdef.name)
        body = {k: v for k, v in body.items() if k in keep}
    return json_response(body)


def _replication(request: Request, org: Org, obj: str, kind: str) -> Response:
    start_text, end_text = request.args.get("start"), request.args.get("end")
    if not start_text or not end_text:
        raise SfError(400, "MISSING_ARGUMENT", "start and end must be specified")
    try:
        start, end = parse_dt(start_text), parse_dt(end_text)
    except ValueError:
        raise SfError(400, "INVALID_PARAMETER_VALUE", "start and end must be ISO-8601 date-times") from None
    now = org.now_ms()
    start_f = floor_minute(start)
    window = REPLICATION_WINDOW_MS if kind == "updated" else RETENTION_MS
    if start_f < floor_minute(now) - window:
        days = window // 86_400_000
        raise SfError(400, "INVALID_REPLICATION_DATE", f"startDate cannot be more than {days} days ago")
    if end <= start:
        raise SfError(400, "INVALID_REPLICATION_DATE", "EndDate must be after StartDate")
    if start_f > now:
        raise SfError(400, "INVALID_REPLICATION_DATE", "startDate cannot be in the future")
    cover = min(floor_minute(end), now)
    table = org.tables[obj]
    if kind == "updated":
        soft = SOBJECTS[obj].soft_delete
        found = [
            rid
            for rid, r in table.rows.items()
            if start_f <= r["SystemModstamp"] < cover and not (soft and r["IsDeleted"])
        ]
        return json_response({"ids": found, "latestDateCovered": format_dt(cover)})
    deleted = [{"id": rid, "deletedDate": format_dt(at)} for at, rid in table.deletions if start_f <= at < cover]
    return json_response(
        {
            "deletedRecords": deleted,
            "earliestDateAvailable": format_dt(org.earliest_date_available()),
            "latestDateCovered": format_dt(cover),
        }
    )
