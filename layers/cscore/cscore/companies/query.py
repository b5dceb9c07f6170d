"""POST /v1/data/objects/query/{Object} for Company (SPEC §4b "Company data API"):
the query language over a tenant's companies, Gainsight's answer shape.

Answers ``data = {"records": [...]}`` with the selected fields only; date and date-time
fields as epoch milliseconds (as Gainsight's Company read does). Lookup paths such as
``Csm__gr.Email`` or ``ParentCompany__gr.Name`` may be selected, filtered and ordered
on: their values are joined in with one batched read per step of the path.
"""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.companies import service
from cscore.errors import BadRequest, NotFound
from cscore.platform import records
from cscore.query import (
    Field,
    FieldType,
    InvalidValue,
    Query,
    QueryOptions,
    Schema,
    UnknownField,
    execute,
    parse_query,
    resolve_field,
    to_epoch_millis,
)
from cscore.users.listing import USER, index_order

S, N, D, DT, G = FieldType.STRING, FieldType.NUMBER, FieldType.DATE, FieldType.DATETIME, FieldType.GSID
COMPANY = Schema.of(
    "Company",
    Field("Gsid", G, target="Company"), Field("Name", S), Field("SfdcAccountId", S), Field("Industry", S),
    Field("Type", S), Field("Website", S), Field("ParentCompany", G, target="Company"), Field("Csm", G, target="User"),
    Field("Status", S), Field("Stage", S), Field("ARR", N), Field("MRR", N), Field("Employees", N),
    Field("LifecycleInWeeks", N), Field("OriginalContractDate", D), Field("RenewalDate", D),
    Field("CreatedDate", DT), Field("ModifiedDate", DT), Field("CreatedBy", G, target="User"),
    Field("ModifiedBy", G, target="User"),
)  # fmt: skip
CATALOG = {"Company": COMPANY, "User": USER}
OPTIONS = QueryOptions(default_limit=100, max_limit=5000, select_required=True, select_error_code="GSOBJ_1002")
QUERYABLE = {"Company": COMPANY}


def query_objects(principal: Principal, object_name: str, body: Any) -> dict[str, Any]:
    schema = QUERYABLE.get(object_name)
    if schema is None:
        raise NotFound(f"Object {object_name} is not queryable here (queryable: {', '.join(QUERYABLE)})")
    try:
        query = parse_query(body, schema, OPTIONS, catalog=CATALOG)
    except UnknownField as exc:
        raise BadRequest(exc.desc, code="GSOBJ_1002") from exc
    except InvalidValue as exc:
        field = schema.get(exc.field)
        raise BadRequest(exc.desc, code="GSOBJ_1005" if field and field.type in (D, DT) else "GS_1400") from exc
    rows = _rows(principal, query, object_name)
    return {"records": [_shown(row, query) for row in rows]}


def _rows(principal: Principal, query: Query, object_name: str) -> list[dict[str, Any]]:
    tenant_id = principal.tenant_id
    served_by = index_order(query)
    if served_by and not query.lookup_paths():
        field, descending = served_by
        page = records.first_in_order(tenant_id, object_name, field, descending, query.offset + query.limit)
        rows = page[query.offset :]
    else:
        every = records.all_of(tenant_id, object_name)
        _join(tenant_id, every, sorted(query.lookup_paths()), object_name)
        rows = execute(query, every).rows
    allowed = service.permitted(principal, rows)
    return [row for row, ok in zip(rows, allowed, strict=True) if ok]


def _join(tenant_id: str, rows: list[dict[str, Any]], paths: list[str], object_name: str) -> None:
    """Put each lookup path's value into each row under the path, one batch per step."""
    for path in paths:
        steps = path.split(".")
        current: list[dict[str, Any] | None] = list(rows)
        schema = CATALOG[object_name]
        for step in steps[:-1]:
            base = step[: -len("__gr")]
            lookup = schema.get(base) or schema.get(base + "__gc")
            assert lookup is not None and lookup.target is not None  # parse_query resolved the path
            refs = [r.get(lookup.name) if r else None for r in current]
            found = records.by_gsids(tenant_id, lookup.target, [g for g in refs if isinstance(g, str)])
            current = [found.get(g) if isinstance(g, str) else None for g in refs]
            schema = CATALOG[lookup.target]
        for row, target in zip(rows, current, strict=True):
            row[path] = target.get(steps[-1]) if target else None


def _shown(row: dict[str, Any], query: Query) -> dict[str, Any]:
    shown = {}
    for name in query.select:
        value = row.get(name)
        field = resolve_field(COMPANY, name, CATALOG)
        if value is not None and field is not None and field.type in (D, DT):
            value = to_epoch_millis(value, date_only=field.type is D)
        shown[name] = value
    return shown
