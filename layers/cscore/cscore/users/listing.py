"""POST /v1/users/services/list (SPEC §2.5): the query language over a tenant's users.

Users are read along the access path ``objects.planner`` picks (Gsid, SFDCUserName,
SfdcUserId or Email equality, a ModifiedDate range, a Name prefix, or the index that
keeps the requested order, read until the page is full), never more than
``objects.candidates.MAX_READ`` of them (else 400 ``GSOBJ_1013``); the query engine
evaluates the whole query on what was read. An unfiltered total reads the tenant's
user counter; a filtered one counts the matches along the same path. The tenant's User
custom fields are added to the schema per request (selected, filtered and ordered on
like standard fields; picklists shown as labels).
"""

from __future__ import annotations

from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import USER
from cscore.meta.fields import CustomFields, for_object, tenant_schema
from cscore.objects.candidates import Reading
from cscore.picklists.service import Picklists
from cscore.platform import records
from cscore.query import Query, QueryOptions, QueryRequest, execute, matches, parse_query

OPTIONS = QueryOptions(default_limit=25, max_limit=1000, select_required=True, select_error_code="GU_1705")
ALWAYS_SHOWN = ("Gsid", "ProfilePicture", "Status")


def list_users(principal: Principal, body: QueryRequest) -> dict[str, Any]:
    picklists = Picklists(principal.tenant)
    custom = for_object(principal.tenant, "User")
    query = parse_query(body, tenant_schema(USER, principal.tenant), OPTIONS)
    tenant_id = principal.tenant_id
    unfiltered = query.is_unfiltered()
    reading = Reading(tenant_id, USER, query, need_all=query.include_total and not unfiltered)
    found = reading.rows(lambda page: [u for u in map(USER.with_derived, page) if matches(query.where, u)])
    result = execute(query, found)
    rows, total = result.rows, result.total
    if query.include_total and unfiltered:
        total = records.count(tenant_id, "User")
    users = [_row(user, query, picklists, custom) for user in rows]
    data: dict[str, Any] = {"page": query.page, "size": len(users), "limit": query.limit, "users": users}
    if total is not None:
        data["total"] = total
    return data


def _row(user: dict[str, Any], query: Query, picklists: Picklists, custom: CustomFields) -> dict[str, Any]:
    """The selected fields (named as the request wrote them) plus Gsid, ProfilePicture and
    Status; picklists as labels."""
    fields = {name: user.get(name) for name in (*query.select, *ALWAYS_SHOWN)}
    for name, category in USER.picklists.items():
        if name in fields:
            fields[name] = picklists.to_label(category, fields[name])
    fields = custom.labelled(fields)
    return {**{key: fields[name] for name, key in query.shown()}, **{name: fields[name] for name in ALWAYS_SHOWN}}
