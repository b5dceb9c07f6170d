"""Company Team records (SPEC §4.1): how they are read, shown and changed, and the
record API (``PUT /v1/teams/records``, ``POST /v1/teams/records/list``, ``POST
/v1/teams/records/delete``).

One record per (CompanyId, UserId), keyed by it (``CompanyUser`` = "<CompanyId>#<UserId>",
``catalog.shapes``): finding a pair's record is one read of its item. Every
write goes through a ``BulkStore`` (``objects.bulk``): a request costs one BatchGetItem
per 100 keys it reads and one BatchWriteItem per 25 items it writes, whatever its size.

The record API changes custom fields only: those the tenant defined for CompanyTeam,
checked by their type (``objects.writable``: anything else — a standard field, a
protected one, a storage attribute, an undefined ``__gc`` name — is refused, naming it);
membership, role and access change through team management (``teams.membership``).
Records that came from Salesforce (``UserSource`` Salesforce) belong to the sync: no
manual update or delete (409-style per-record error).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import COMPANY_TEAM
from cscore.errors import QueryTooBroad
from cscore.objects import candidates, writable
from cscore.objects import query as object_query
from cscore.objects.bulk import BulkStore
from cscore.picklists.service import Picklists
from cscore.platform import records as stored
from cscore.platform import references
from cscore.query.model import ConditionRequest, QueryRequest, WhereRequest
from cscore.teams import rules
from cscore.teams.models import RecordChange, RecordChanges, RecordKey, RecordKeys, as_sent
from cscore.teams.outcome import BAD, CONFLICT, FORBIDDEN, MISSING, Outcome

MANUAL, SALESFORCE = "Manual", "Salesforce"
LISTING_PAGE = 1000  # team records a Query page of a listing
OWNED_BY_SYNC = "owned by the Salesforce sync: records that came from Salesforce cannot be changed or deleted by hand"
Pair = tuple[str, str]  # (CompanyId, UserId)


def new_store(principal: Principal) -> BulkStore:
    return BulkStore(principal.tenant_id, COMPANY_TEAM.shape, principal.user_gsid)


def find(store: BulkStore, pairs: Iterable[Pair]) -> dict[Pair, dict[str, Any]]:
    """The stored record of each (company, user) pair that has one (strongly consistent):
    the record items at their keys, 100 a BatchGetItem."""
    wanted = {pair: f"{pair[0]}#{pair[1]}" for pair in dict.fromkeys(pairs)}
    found = store.by_key(wanted.values())
    result: dict[Pair, dict[str, Any]] = {}
    for pair, ref in wanted.items():
        record = found.get(ref)
        if record and (record.get("CompanyId"), record.get("UserId")) == pair:
            result[pair] = record
    return result


def listing(tenant_id: str, via: str, gsid: str) -> list[dict[str, Any]]:
    """A company's team (``via`` Company) or a user's companies (``via`` User): that
    partition of GSI2 / GSI3 only, a page at a time, at most ``MAX_READ`` records (the
    answer is not paged; a longer list is 400 ``GSOBJ_1013`` pointing at the paged
    record API)."""
    index = "GSI2" if via == "Company" else "GSI3"
    found: list[dict[str, Any]] = []
    for page in references.pages(tenant_id, "CompanyTeam", via, gsid, index, LISTING_PAGE):
        found += page
        if len(found) > candidates.MAX_READ:
            field = "CompanyId" if via == "Company" else "UserId"
            raise QueryTooBroad(
                f"This {via} has more than {candidates.MAX_READ:,} Company Team records: list them a page at a "
                f"time with POST /v1/teams/records/list ({field} EQ {gsid}, limit and offset)"
            )
    return found


def shown(
    record: Mapping[str, Any],
    picklists: Picklists,
    users: Mapping[str, Mapping[str, Any]],
    companies: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """A record as the team endpoints show it: TeamRole as its label, the user's Name
    and Email and the company's Name alongside the GSIDs."""
    user = users.get(str(record.get("UserId"))) or {}
    company = companies.get(str(record.get("CompanyId"))) or {}
    view: dict[str, Any] = {
        "Gsid": record.get("Gsid"),
        "CompanyId": record.get("CompanyId"),
        "CompanyName": company.get("Name"),
        "UserId": record.get("UserId"),
        "UserName": user.get("Name"),
        "UserEmail": user.get("Email"),
        "TeamRole": picklists.to_label("TeamRole", record.get("TeamRole")),
        "UserAccess": record.get("UserAccess"),
        "UserSource": record.get("UserSource"),
    }
    for name in ("UserManagerRole1", "UserManagerRole2", "UserManagerRole3"):
        view[name] = record.get(name)
    rest = {k: v for k, v in record.items() if k not in view and k != "CompanyUser"}
    return view | dict(sorted(rest.items()))


def show_all(principal: Principal, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``shown`` for many records, their users and companies read in two batches."""
    tenant_id = principal.tenant_id
    users = stored.by_gsids(tenant_id, "User", [str(r["UserId"]) for r in found if r.get("UserId")])
    companies = stored.by_gsids(tenant_id, "Company", [str(r["CompanyId"]) for r in found if r.get("CompanyId")])
    picklists = Picklists(principal.tenant)
    return [shown(r, picklists, users, companies) for r in found]


def custom_field(fields: writable.WritableFields, name: str, value: Any) -> tuple[Any, tuple[str, str] | None]:
    """(the value as stored, None), or (None, (code, why ``name`` cannot be written here)):
    it is not a custom field the tenant defined for CompanyTeam, or the value does not fit
    its type, answered with the Company data API's codes (``GSOBJ_1002``, ...). Null clears
    a field."""
    try:
        fields.field(name)
    except writable.Refused as exc:
        return None, (exc.code, str(exc))
    if name in fields.standard:
        return None, (
            BAD,
            f"{name}: a standard field cannot be updated through the record API (it updates custom fields "
            "only; membership, team role and access change through team management)",
        )
    if value is None:
        return None, None
    try:
        return fields.value(name, value), None
    except writable.Refused as exc:
        return None, (exc.code, str(exc))


def _custom_changes(
    record: RecordChange, fields: writable.WritableFields
) -> tuple[dict[str, Any], tuple[str, str] | None]:
    changes: dict[str, Any] = {}
    for name, value in (record.model_extra or {}).items():
        stored, problem = custom_field(fields, name, value)
        if problem:
            return {}, problem
        changes[name] = stored
    return changes, None


def _unique_keys(records: Sequence[RecordKey], outcome: Outcome) -> dict[int, Pair]:
    pairs: dict[int, Pair] = {}
    seen: set[Pair] = set()
    for index, record in enumerate(records):
        pair = (record.CompanyId.strip(), record.UserId.strip())
        if pair in seen:
            outcome.fail(index, BAD, "the same CompanyId and UserId appear more than once in the request")
            continue
        seen.add(pair)
        pairs[index] = pair
    return pairs


def _refusal(scope: rules.Scope, pair: Pair, record: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """The per-record error for a stored record the caller wants to change or delete."""
    if record is None:
        if not scope.manages(pair[0]):
            return FORBIDDEN, f"not a team admin of company {pair[0]}"
        return MISSING, f"no Company Team record for CompanyId {pair[0]} and UserId {pair[1]}"
    problem = scope.write_problem(pair[0], record, None)
    if problem:
        return FORBIDDEN, problem
    if record.get("UserSource") == SALESFORCE:
        return CONFLICT, OWNED_BY_SYNC
    return None


def update_records(principal: Principal, body: RecordChanges) -> dict[str, Any]:
    """PUT /v1/teams/records: set custom fields of records found by CompanyId + UserId."""
    rules.require_enabled(principal)
    records = body.records
    outcome = Outcome([as_sent(record) for record in records])
    pairs = _unique_keys(records, outcome)
    writable_fields = writable.for_object("CompanyTeam", principal.tenant)
    changes: dict[int, dict[str, Any]] = {}
    for index in pairs:
        fields, problem = _custom_changes(records[index], writable_fields)
        if problem:
            outcome.fail(index, *problem)
        else:
            changes[index] = fields
    if not changes:
        return outcome.answer()
    scope = rules.scope_for(principal, (pairs[i][0] for i in changes))
    scope.require_some()
    store = new_store(principal)
    found = find(store, (pairs[i] for i in changes))
    planned: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    for index, fields in changes.items():
        record = found.get(pairs[index])
        refusal = _refusal(scope, pairs[index], record)
        if refusal:
            outcome.fail(index, *refusal)
        elif record is not None:
            planned.append((index, record, fields))
    store.upsert([(record, fields) for _, record, fields in planned])
    store.flush()
    after = store.records(record["Gsid"] for _, record, _ in planned)
    views = show_all(principal, [after[record["Gsid"]] for _, record, _ in planned])
    for (index, _, _), view in zip(planned, views, strict=True):
        outcome.done(index, view)
    return outcome.answer()


def delete_records(principal: Principal, body: RecordKeys) -> dict[str, Any]:
    """POST /v1/teams/records/delete: delete records named by CompanyId + UserId."""
    rules.require_enabled(principal)
    records = body.records
    outcome = Outcome([as_sent(record) for record in records])
    pairs = _unique_keys(records, outcome)
    if not pairs:
        return outcome.answer()
    scope = rules.scope_for(principal, (p[0] for p in pairs.values()))
    scope.require_some()
    store = new_store(principal)
    found = find(store, pairs.values())
    doomed: list[tuple[int, dict[str, Any]]] = []
    for index, pair in pairs.items():
        record = found.get(pair)
        refusal = _refusal(scope, pair, record)
        if refusal:
            outcome.fail(index, *refusal)
        elif record is not None:
            doomed.append((index, record))
    store.delete([record for _, record in doomed])
    store.flush()
    for index, record in doomed:
        outcome.done(index, {"Gsid": record["Gsid"], "CompanyId": record["CompanyId"], "UserId": record["UserId"]})
    return outcome.answer()


def list_records(principal: Principal, body: QueryRequest) -> dict[str, Any]:
    """POST /v1/teams/records/list: the query language over CompanyTeam (``objects.query``);
    TeamRole conditions take labels or GSIDs and TeamRole is shown as its label. A team
    admin sees the records of the teams it administers only."""
    rules.require_enabled(principal)
    scope = rules.listed_scope(principal)
    scope.require_some()
    picklists = Picklists(principal.tenant)
    body = _with_role_gsids(body, picklists)
    if not scope.everything:
        body = _within(body, sorted(scope.companies or ()))
    found = object_query.query_objects(principal, "CompanyTeam", body)
    rows: list[dict[str, Any]] = found["records"]
    for row in rows:
        if "TeamRole" in row:
            row["TeamRole"] = picklists.to_label("TeamRole", row["TeamRole"])
    return {"records": rows}


def _with_role_gsids(body: QueryRequest, picklists: Picklists) -> QueryRequest:
    """TeamRole condition values given as labels, as the item GSIDs stored."""
    if body.where is None:
        return body
    conditions = [
        condition.model_copy(update={"value": [_role_gsid(picklists, v) for v in condition.value]})
        if condition.name == "TeamRole" and isinstance(condition.value, list)
        else condition
        for condition in body.where.conditions
    ]
    return body.model_copy(update={"where": body.where.model_copy(update={"conditions": conditions})})


def _role_gsid(picklists: Picklists, value: Any) -> Any:
    return (picklists.to_gsid("TeamRole", value) if isinstance(value, str) else None) or value


def _within(body: QueryRequest, companies: list[str]) -> QueryRequest:
    """The query restricted to records of ``companies`` (one more condition, ANDed)."""
    where = body.where or WhereRequest()
    aliases = {c.alias for c in where.conditions}
    alias = next(f"TEAMSCOPE{n}" for n in range(len(aliases) + 1) if f"TEAMSCOPE{n}" not in aliases)
    scoped = ConditionRequest(name="CompanyId", alias=alias, operator="IN", value=companies)
    expression = where.expression
    if expression is not None and expression.strip():
        expression = f"({expression}) AND {alias}"
    return body.model_copy(
        update={"where": WhereRequest(conditions=[*where.conditions, scoped], expression=expression)}
    )
