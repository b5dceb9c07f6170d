"""Team management (SPEC §4.4): list a company's team or a user's companies, assign
users to a company or companies to a user, remove a member.

Assigning writes one Company Team record per (company, user): a new record gets
TeamRole "Account Manager" and UserAccess Member unless given, UserSource Manual; an
existing manual record takes the TeamRole and UserAccess given (others stay); a record
that came from Salesforce is refused (owned by the sync). Only companies and users of
the tenant can be assigned. Every write sets UserManagerRole1..3 (``users.managers``).

Answers of assignments: ``data = {"count", "errors", "records"}`` (``teams.outcome``),
records shown as ``teams.records.shown``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cscore.auth.principal import Principal
from cscore.errors import Conflict, Forbidden, NotFound
from cscore.objects import writable
from cscore.objects.bulk import BulkStore
from cscore.picklists.service import Picklists
from cscore.picklists.system import system_item_gsid
from cscore.platform import ids
from cscore.platform import records as stored
from cscore.teams import records as team_records
from cscore.teams import rules
from cscore.teams.models import AssignCompanies, AssignUsers, CompanyAssignment, UserAssignment, as_sent
from cscore.teams.outcome import BAD, CONFLICT, FORBIDDEN, Outcome
from cscore.users import managers

DEFAULT_ROLE = "Account Manager"
ACCESS_VALUES = {"admin": rules.ADMIN, "member": rules.MEMBER}


@dataclass
class Assignment:
    index: int
    company_id: str
    user_id: str
    role: str | None = None  # picklist item GSID, None when not given
    access: str | None = None  # Admin | Member, None when not given
    custom: dict[str, Any] = field(default_factory=dict)


def _parse(
    record: UserAssignment | CompanyAssignment,
    index: int,
    other: str,
    fixed: tuple[str, str],
    picklists: Picklists,
    fields: writable.WritableFields,
    outcome: Outcome,
) -> Assignment | None:
    """One input record: ``other`` (UserId or CompanyId) plus TeamRole, UserAccess and
    custom fields; ``fixed`` is the path's (field, GSID)."""
    prefix = ids.USER if other == "UserId" else ids.COMPANY
    value = str(getattr(record, other)).strip()
    if not ids.is_gsid(value, prefix):
        what = "User" if other == "UserId" else "Company"
        outcome.fail(index, BAD, f"{other}: {value!r} is not a {what} GSID")
        return None
    path_value = getattr(record, fixed[0])
    if path_value is not None and path_value != fixed[1]:
        outcome.fail(index, BAD, f"{fixed[0]}: must be the one in the path ({fixed[1]}) or left out")
        return None
    company, user = (fixed[1], value) if other == "UserId" else (value, fixed[1])
    assignment = Assignment(index, company, user)
    if record.TeamRole is not None:
        role = picklists.to_gsid("TeamRole", record.TeamRole)
        if role is None:
            outcome.fail(
                index, BAD, f"TeamRole: {record.TeamRole!r} is no team role of this tenant (GET /v1/teams/roles)"
            )
            return None
        assignment.role = role
    if record.UserAccess is not None:
        assignment.access = ACCESS_VALUES[record.UserAccess.strip().lower()]
    for name, given in (record.model_extra or {}).items():
        if name not in fields.standard:  # a custom field, or refused (objects.writable)
            stored, problem = team_records.custom_field(fields, name, given)
            if problem:
                outcome.fail(index, *problem)
                return None
            assignment.custom[name] = stored
        else:
            allowed = f"{other}, TeamRole, UserAccess and custom fields (__gc)"
            outcome.fail(index, BAD, f"{name}: cannot be set when assigning (allowed: {allowed})")
            return None
    return assignment


def default_role(picklists: Picklists) -> str:
    """The TeamRole GSID a new membership gets when none is given: Account Manager."""
    return picklists.to_gsid("TeamRole", DEFAULT_ROLE) or system_item_gsid("TeamRole", DEFAULT_ROLE)


@dataclass
class _Plan:
    """What an assignment request writes: new records (their values) and changes to
    existing ones (the record before, the values that change)."""

    inserts: list[tuple[Assignment, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[Assignment, dict[str, Any], dict[str, Any]]] = field(default_factory=list)


def _assign(
    principal: Principal, other: str, fixed: tuple[str, str], body: AssignUsers | AssignCompanies
) -> dict[str, Any]:
    """Assign the records of ``body`` to the path's company or user (``fixed``): parse
    them, check who may, read what they name, plan each record's write, write, answer."""
    rules.require_enabled(principal)
    records: list[UserAssignment | CompanyAssignment] = list(body.records)
    outcome = Outcome([as_sent(record) for record in records])
    picklists = Picklists(principal.tenant)
    parsed = _parse_all(principal, records, other, fixed, picklists, outcome)
    scope = _scope(principal, parsed, fixed)
    if not parsed:
        return outcome.answer()
    scope.require_some()
    companies, users = _named(principal.tenant_id, parsed, fixed)
    store = team_records.new_store(principal)
    plan = _plan(principal.tenant_id, parsed, store, scope, companies, users, picklists, outcome)
    for assignment, record in _write(store, plan):
        outcome.done(assignment.index, team_records.shown(record, picklists, users, companies))
    return outcome.answer()


def _parse_all(
    principal: Principal,
    records: list[UserAssignment | CompanyAssignment],
    other: str,
    fixed: tuple[str, str],
    picklists: Picklists,
    outcome: Outcome,
) -> list[Assignment]:
    """The records that parse, each (company, user) pair once; the others fail in ``outcome``."""
    writable_fields = writable.for_object("CompanyTeam", principal.tenant)
    parsed: list[Assignment] = []
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(records):
        assignment = _parse(raw, index, other, fixed, picklists, writable_fields, outcome)
        if assignment is None:
            continue
        pair = (assignment.company_id, assignment.user_id)
        if pair in seen:
            outcome.fail(index, BAD, f"{other}: appears more than once in the request")
            continue
        seen.add(pair)
        parsed.append(assignment)
    return parsed


def _scope(principal: Principal, parsed: list[Assignment], fixed: tuple[str, str]) -> rules.Scope:
    """Which of the companies the caller may change; changing a company's team (the path
    names the company) needs to be its team admin, whatever the records say."""
    by_company = fixed[0] == "CompanyId"
    scope = rules.scope_for(principal, {a.company_id for a in parsed} | ({fixed[1]} if by_company else set()))
    if by_company and not scope.manages(fixed[1]):
        raise Forbidden(f"Only super admins and the team admins of company {fixed[1]} may change its team")
    return scope


def _named(
    tenant_id: str, parsed: list[Assignment], fixed: tuple[str, str]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The companies and the users the request names, by GSID (one batched read each);
    404 when the path's own company or user is not there."""
    by_company = fixed[0] == "CompanyId"
    companies = stored.by_gsids(tenant_id, "Company", sorted({a.company_id for a in parsed} | {fixed[1]}))
    users = stored.by_gsids(tenant_id, "User", sorted({a.user_id for a in parsed} | {fixed[1]}))
    if fixed[1] not in (companies if by_company else users):
        what = "company" if by_company else "user"
        raise NotFound(f"No {what} with GSID {fixed[1]} in this tenant")
    return companies, users


def _plan(
    tenant_id: str,
    parsed: list[Assignment],
    store: BulkStore,
    scope: rules.Scope,
    companies: dict[str, dict[str, Any]],
    users: dict[str, dict[str, Any]],
    picklists: Picklists,
    outcome: Outcome,
) -> _Plan:
    """Each assignment becomes an insert, an update or a failure in ``outcome``; every
    record written gets its member's manager chain."""
    existing = team_records.find(store, ((a.company_id, a.user_id) for a in parsed))
    chains = managers.chains(tenant_id, {a.user_id: users[a.user_id] for a in parsed if a.user_id in users})
    plan = _Plan()
    for a in parsed:
        before = existing.get((a.company_id, a.user_id))
        refusal = _refusal(a, before, scope, companies, users)
        if refusal:
            outcome.fail(a.index, *refusal)
            continue
        fields: dict[str, Any] = {**a.custom, **managers.as_fields(chains[a.user_id])}
        if a.role:
            fields["TeamRole"] = a.role
        if a.access:
            fields["UserAccess"] = a.access
        if before is None:
            defaults = {"TeamRole": default_role(picklists), "UserAccess": rules.MEMBER}
            new = {"CompanyId": a.company_id, "UserId": a.user_id, **defaults, "UserSource": team_records.MANUAL}
            plan.inserts.append((a, new | {k: v for k, v in fields.items() if v is not None}))
        else:
            plan.updates.append((a, before, fields))
    return plan


def _refusal(
    a: Assignment,
    before: dict[str, Any] | None,
    scope: rules.Scope,
    companies: dict[str, dict[str, Any]],
    users: dict[str, dict[str, Any]],
) -> tuple[str, str] | None:
    """Why this assignment cannot be written (code, message), or None."""
    # Permission before existence: a company the caller does not manage answers the
    # same whether it exists or not.
    problem = scope.write_problem(a.company_id, before, a.access or (None if before else rules.MEMBER))
    if problem:
        return FORBIDDEN, problem
    if a.company_id not in companies:
        return BAD, f"CompanyId: no company with GSID {a.company_id} in this tenant"
    if a.user_id not in users:
        return BAD, f"UserId: no user with GSID {a.user_id} in this tenant"
    if before is not None and before.get("UserSource") == team_records.SALESFORCE:
        return CONFLICT, team_records.OWNED_BY_SYNC
    return None


def _write(store: BulkStore, plan: _Plan) -> list[tuple[Assignment, dict[str, Any]]]:
    """Write the plan (one flush) and return each assignment with its record as stored."""
    created = store.upsert([(None, values) for _, values in plan.inserts])
    store.upsert([(before, values) for _, before, values in plan.updates])
    store.flush()
    now = store.records(before["Gsid"] for _, before, _ in plan.updates)
    written = [(a, record) for (a, _), record in zip(plan.inserts, created, strict=True)]
    written += [(a, now[before["Gsid"]]) for a, before, _ in plan.updates]
    return written


def assign_users(principal: Principal, company_id: str, body: AssignUsers) -> dict[str, Any]:
    """POST /v1/teams/companies/{companyId}/members: ``{records: [{UserId, TeamRole?,
    UserAccess?}]}``."""
    return _assign(principal, "UserId", ("CompanyId", company_id), body)


def assign_companies(principal: Principal, user_id: str, body: AssignCompanies) -> dict[str, Any]:
    """POST /v1/teams/users/{userId}/companies: ``{records: [{CompanyId, TeamRole?,
    UserAccess?}]}``."""
    return _assign(principal, "CompanyId", ("UserId", user_id), body)


def _sorted(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (str(r.get(name) or "").lower(), str(r.get("Gsid"))))


def company_members(principal: Principal, company_id: str) -> dict[str, Any]:
    """GET /v1/teams/companies/{companyId}/members: ``data.members``, by user name."""
    rules.require_enabled(principal)
    if not rules.scope_for(principal, [company_id]).manages(company_id):
        raise Forbidden(f"Only super admins and the team admins of company {company_id} may see its team")
    if not stored.by_gsids(principal.tenant_id, "Company", [company_id]):
        raise NotFound(f"No company with GSID {company_id} in this tenant")
    found = team_records.listing(principal.tenant_id, "Company", company_id)
    return {"members": _sorted(team_records.show_all(principal, found), "UserName")}


def user_companies(principal: Principal, user_id: str) -> dict[str, Any]:
    """GET /v1/teams/users/{userId}/companies: ``data.companies``, by company name; a
    team admin sees the companies it administers only."""
    rules.require_enabled(principal)
    scope = rules.listed_scope(principal)
    scope.require_some()
    if not stored.by_gsids(principal.tenant_id, "User", [user_id]):
        raise NotFound(f"No user with GSID {user_id} in this tenant")
    found = [r for r in team_records.listing(principal.tenant_id, "User", user_id) if scope.manages(r.get("CompanyId"))]
    return {"companies": _sorted(team_records.show_all(principal, found), "CompanyName")}


def remove_member(principal: Principal, company_id: str, user_id: str) -> dict[str, Any]:
    """DELETE /v1/teams/companies/{companyId}/members/{userId}: that Company Team record
    only."""
    rules.require_enabled(principal)
    scope = rules.scope_for(principal, [company_id])
    if not scope.manages(company_id):
        raise Forbidden(f"Only super admins and the team admins of company {company_id} may change its team")
    store = team_records.new_store(principal)
    record = team_records.find(store, [(company_id, user_id)]).get((company_id, user_id))
    if record is None:
        raise NotFound(f"User {user_id} is not on the team of company {company_id}")
    problem = scope.write_problem(company_id, record, None)
    if problem:
        raise Forbidden(problem[0].upper() + problem[1:])
    if record.get("UserSource") == team_records.SALESFORCE:
        raise Conflict(f"This Company Team record is {team_records.OWNED_BY_SYNC}")
    store.delete([record])
    store.flush()
    return {
        "count": 1,
        "errors": None,
        "records": [{"Gsid": record["Gsid"], "CompanyId": company_id, "UserId": user_id}],
    }
