"""SCIM Users (RFC 7644 §3): a second door to the users of the users API. Every write
goes through the users service (its field rules, SFDCUserName guard, index items,
transactions and outbox), so both APIs see the same users, and a create costs what a
users API create of one user costs.

DELETE deactivates the user in the product (Gainsight never deletes users) and marks
it deleted through SCIM: SCIM answers 404 for it from then on, the users API lists it
inactive; a later POST of the same userName re-activates it, as does activating it
through the users API.

Lists read along bounded paths: ``id``, ``userName``, ``emails.value`` and
``externalId`` equalities (alone, or-ed, or and-ed with anything) read their index
items and then only those users; any other filter reads the users list's path (the
ModifiedDate index) with its bound (``objects.candidates.MAX_READ``, else 400
``tooMany``). The filter is then evaluated on the SCIM resources read.
"""

from __future__ import annotations

import math
from typing import Any

from cscore.auth.principal import Principal
from cscore.bundles import repository as bundles
from cscore.catalog import USER
from cscore.errors import ApiError, QueryTooBroad
from cscore.objects.candidates import MAX_READ, Reading
from cscore.platform import clock, records
from cscore.query import parse_query
from cscore.scim import mapping, patch
from cscore.scim.answers import Answer, ListParameters
from cscore.scim.errors import ScimError, invalid_value, not_found, precondition_failed, uniqueness
from cscore.scim.filter import And, AttrPath, Compare, Filter, date_time, equalities, matches, parse
from cscore.users import listing
from cscore.users import service as users
from cscore.users.repository import DELETED_BY_SCIM, delete_for_scim
from cscore.users.schema import DEFAULT_BUNDLE

# Filter attributes with index items: (attribute, sub-attribute) -> (field, unique)
INDEXED: dict[tuple[str, str | None], tuple[str, bool]] = {
    ("username", None): ("SFDCUserName", True),
    ("emails", "value"): ("Email", False),
    ("emails", None): ("Email", False),
    ("externalid", None): ("ExternalId", False),
}


def _indexed(path: AttrPath) -> bool:
    return not path.schema and ((path.attr, path.sub) in INDEXED or (path.attr, path.sub) == ("id", None))


def _read(principal: Principal, gsid: str) -> dict[str, Any]:
    """A user SCIM shows (404 otherwise)."""
    user = records.by_gsids(principal.tenant_id, "User", [gsid]).get(gsid) if gsid else None
    if user is None or not mapping.is_visible(user):
        raise not_found(gsid)
    return user


def _check_version(user: dict[str, Any], if_match: str | None) -> None:
    if if_match and if_match.strip() != "*" and mapping.version(user) not in [v.strip() for v in if_match.split(",")]:
        raise precondition_failed()


def _groups(tenant_id: str, users: list[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """Each user's groups (its bundles that are Groups: not the system ones), by GSID;
    read only when a user holds more than the default bundle."""
    names = {n for u in users for n in u.get("permissionBundles") or [] if n != DEFAULT_BUNDLE}
    found = bundles.by_names(tenant_id, sorted(names)) if names else {}
    return {
        u["Gsid"]: [
            {"value": found[n]["bundleId"], "display": n, "type": "direct"}
            for n in u.get("permissionBundles") or []
            if n in found and found[n].get("bundleId")
        ]
        for u in users
    }


def _answer(user: dict[str, Any], base_url: str, status: int = 200, tenant_id: str = "") -> Answer:
    groups = _groups(tenant_id, [user]).get(user["Gsid"]) if tenant_id else None
    resource = mapping.to_resource(user, base_url, groups)
    headers = {"ETag": mapping.version(user)}
    if status == 201:
        headers["Location"] = resource["meta"]["location"]
    return Answer(status, resource, headers)


def _refused(errors: dict[int, tuple[str, str]]) -> ApiError:
    code, message = errors[min(errors)]
    message = mapping.in_scim_words(message)
    if code == "GS_1409":
        return uniqueness(message)
    if code == "GU_2412":
        return ScimError(503, message)
    return invalid_value(message)


def get_user(principal: Principal, gsid: str, base_url: str, query: dict[str, str] | None = None) -> Answer:
    answer = _answer(_read(principal, gsid), base_url, tenant_id=principal.tenant_id)
    parameters = ListParameters.of(query or {})
    return Answer(answer.status, parameters.project(answer.body or {}), answer.headers)


def create_user(principal: Principal, body: Any, base_url: str) -> Answer:
    """POST /Users: a new user (201), or the user of that userName deleted through SCIM,
    re-activated (201); a userName in use is 409 uniqueness."""
    fields, stored = mapping.to_fields(body)
    batch, _ = users.write_new_users(principal, {"records": [fields]}, stored_with=[stored])
    if batch.written:
        return _answer(batch.written[0], base_url, 201)
    code, _message = batch.errors[0]
    if code == "GS_1409":
        gsids = records.gsids_by_value(principal.tenant_id, "User", "SFDCUserName", [fields["SFDCUserName"]], True)
        found = records.by_gsids(principal.tenant_id, "User", gsids)
        deleted = [u for u in found.values() if u.get(DELETED_BY_SCIM)]
        if deleted:
            return _write(principal, deleted[0], fields, {**stored, DELETED_BY_SCIM: None}, base_url, 201)
    raise _refused(batch.errors)


def _write(
    principal: Principal,
    before: dict[str, Any],
    fields: dict[str, Any],
    stored: dict[str, Any],
    base_url: str,
    status: int = 200,
) -> Answer:
    """Store the user's new fields, if it is as it was read."""
    record = {"Gsid": before["Gsid"], **fields}
    update = users.write_user_changes(
        principal, {"records": [record]}, "Gsid", stored_with=[stored], read_as=[before["ModifiedDate"]]
    )
    if update.batch.errors:
        raise _refused(update.batch.errors)
    return _answer(update.batch.written[0], base_url, status, principal.tenant_id)


def replace_user(principal: Principal, gsid: str, body: Any, base_url: str, if_match: str | None) -> Answer:
    """PUT /Users/{id}: every mapped attribute as the body has it (absent ones cleared)."""
    before = _read(principal, gsid)
    _check_version(before, if_match)
    fields, stored = mapping.to_fields(body)
    return _write(principal, before, fields, stored, base_url)


def patch_user(principal: Principal, gsid: str, body: Any, base_url: str, if_match: str | None) -> Answer:
    """PATCH /Users/{id}: the operations applied to the user's resource, written at once."""
    before = _read(principal, gsid)
    _check_version(before, if_match)
    patched = patch.apply(mapping.to_resource(before, base_url), body, read_only=frozenset({"groups"}))
    fields, stored = mapping.to_fields(patched)
    return _write(principal, before, fields, stored, base_url)


def delete_user(principal: Principal, gsid: str, if_match: str | None) -> Answer:
    """DELETE /Users/{id}: deactivated and gone for SCIM (204)."""
    before = _read(principal, gsid)
    _check_version(before, if_match)
    if not delete_for_scim(principal.tenant_id, gsid, clock.iso(), principal.user_gsid, before["ModifiedDate"]):
        raise precondition_failed() if if_match else uniqueness("the user changed while it was being deleted; retry")
    return Answer(204, None)


def list_users(principal: Principal, query: dict[str, str], base_url: str) -> Answer:
    """GET /Users: the visible users the filter matches, as a ListResponse page."""
    parameters = ListParameters.of(query)
    tree = parse(query["filter"]) if query.get("filter") else None
    found = [u for u in _candidates(principal, tree) if mapping.is_visible(u)]
    groups = _groups(principal.tenant_id, found)
    resources = [mapping.to_resource(u, base_url, groups[u["Gsid"]]) for u in found]
    if tree is not None:
        resources = [r for r in resources if matches(tree, r)]
    if parameters.sort_by is None:
        resources.sort(key=lambda r: (r["meta"]["created"] or "", r["id"]))  # stable paging
    return Answer(200, parameters.page(resources))


def _conjuncts(tree: Filter) -> list[Filter]:
    return [*_conjuncts(tree.left), *_conjuncts(tree.right)] if isinstance(tree, And) else [tree]


def _modified_range(tree: Filter) -> list[dict[str, Any]]:
    """The filter's ``meta.lastModified`` bounds (of its top-level ``and``) as users query
    conditions on ModifiedDate, inclusive and to the millisecond outward: the planner then
    reads that slice of the ModifiedDate index (the filter decides the edges)."""
    conditions: list[dict[str, Any]] = []
    for part in _conjuncts(tree):
        if not (isinstance(part, Compare) and (part.path.attr, part.path.sub) == ("meta", "lastmodified")):
            continue
        moment = date_time(part.value)
        if moment is None or part.op not in ("eq", "gt", "ge", "lt", "le"):
            continue
        millis = moment.timestamp() * 1000
        if part.op in ("eq", "gt", "ge"):
            conditions.append({"name": "ModifiedDate", "operator": "GTE", "value": [math.floor(millis)]})
        if part.op in ("eq", "lt", "le"):
            conditions.append({"name": "ModifiedDate", "operator": "LTE", "value": [math.ceil(millis)]})
    return [{**c, "alias": f"M{i}"} for i, c in enumerate(conditions)]


def _candidates(principal: Principal, tree: Filter | None) -> list[dict[str, Any]]:
    """Every user the filter may match, read along its index items when it has them."""
    tenant_id = principal.tenant_id
    wanted = equalities(tree, _indexed) if tree is not None else None
    if wanted is None:
        request: dict[str, Any] = {"select": ["Gsid"], "orderBy": {"ModifiedDate": "asc"}}
        conditions = _modified_range(tree) if tree is not None else []
        if conditions:
            request["where"] = {"conditions": conditions}
        query = parse_query(request | {"limit": listing.OPTIONS.max_limit}, USER.query_schema, listing.OPTIONS)
        return Reading(tenant_id, USER, query, need_all=True).rows(lambda page: page)
    gsids: list[str] = [str(v) for p, v in wanted if (p.attr, p.sub) == ("id", None) and isinstance(v, str)]
    by_field: dict[tuple[str, bool], list[str]] = {}
    for path, value in wanted:
        if (path.attr, path.sub) in INDEXED and isinstance(value, str):
            by_field.setdefault(INDEXED[(path.attr, path.sub)], []).append(value)
    for (field, unique), values in by_field.items():
        gsids += records.gsids_by_value(tenant_id, "User", field, values, unique)
    if len(gsids) > MAX_READ:
        raise QueryTooBroad(f"This filter matches more than {MAX_READ:,} users; narrow it")
    return list(records.by_gsids(tenant_id, "User", gsids).values()) if gsids else []
