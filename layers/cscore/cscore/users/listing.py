"""POST /v1/users/services/list (SPEC §2.5): the query language over a tenant's users.

An unfiltered list ordered by ModifiedDate or Name is served by its index (GSI1 / GSI2)
and reads only the rows up to the page asked for; an unfiltered total reads the
tenant's user counter. Anything else reads the tenant's users through GSI1 and lets the
query engine filter, sort and page them. The tenant's User custom fields are added to
the schema per request (selected, filtered and ordered on like standard fields;
picklists shown as labels).
"""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import USER
from cscore.meta.fields import CustomFields, extend_schema, for_object
from cscore.picklists.service import Picklists
from cscore.platform import records
from cscore.query import QueryOptions, Schema, execute, parse_query

OPTIONS = QueryOptions(default_limit=25, max_limit=1000, select_required=True, select_error_code="GU_1705")
ALWAYS_SHOWN = ("Gsid", "ProfilePicture", "Status")


def _schema(picklists: Picklists, tenant_item: dict[str, Any]) -> Schema:
    items = {
        name: {picklists.to_label(category, gsid): gsid for gsid in picklists.gsids(category)}
        for name, category in USER.picklists.items()
    }
    return extend_schema(USER.query_schema.with_items(items), tenant_item)  # type: ignore[arg-type]


def _with_status(user: dict[str, Any]) -> dict[str, Any]:
    return {**user, "Status": "Active" if user.get("IsActiveUser", True) else "Inactive"}


def list_users(principal: Principal, body: Any) -> dict[str, Any]:
    picklists = Picklists(principal.tenant)
    custom = for_object(principal.tenant, "User")
    query = parse_query(body, _schema(picklists, principal.tenant), OPTIONS)
    tenant_id = principal.tenant_id
    served_by = USER.index_order(query)
    total: int | None
    if served_by:
        field, descending = served_by
        rows = records.first_in_order(tenant_id, "User", field, descending, query.offset + query.limit)
        rows = [_with_status(u) for u in rows[query.offset :]]
        total = records.count(tenant_id, "User") if query.include_total else None
    else:
        result = execute(query, [_with_status(u) for u in records.all_of(tenant_id, "User")])
        rows, total = result.rows, result.total
    users = [_row(user, query.select, picklists, custom) for user in rows]
    data: dict[str, Any] = {"page": query.page, "size": len(users), "limit": query.limit, "users": users}
    if total is not None:
        data["total"] = total
    return data


def _row(user: dict[str, Any], select: tuple[str, ...], picklists: Picklists, custom: CustomFields) -> dict[str, Any]:
    """The selected fields plus Gsid, ProfilePicture and Status; picklists as labels."""
    row = {name: user.get(name) for name in (*select, *ALWAYS_SHOWN)}
    for name, category in USER.picklists.items():
        if name in row:
            row[name] = picklists.to_label(category, row[name])
    return custom.labelled(row)
