"""Team management (SPEC §4.4): list a company's team or a user's companies, assign
users to a company or companies to a user, remove a member.

Assigning writes one Company Team record per (company, user): a new record gets
TeamRole "Account Manager" and UserAccess Member unless given, UserSource Manual; an
existing manual record takes the TeamRole and UserAccess given (others stay); a record
that came from Salesforce is refused (owned by the sync). Only companies and users of
the tenant can be assigned. Every write sets UserManagerRole1..3 (``teams.managers``).

Answers of assignments: ``data = {"count", "errors", "records"}`` (``teams.outcome``),
records shown as ``teams.records.shown``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cscore.auth.principal import Principal
from cscore.errors import Conflict, Forbidden, NotFound
from cscore.objects import writable
from cscore.picklists.service import Picklists
from cscore.platform import ids
from cscore.platform import records as stored
from cscore.teams import managers, rules
from cscore.teams import records as team_records
from cscore.teams.outcome import BAD, CONFLICT, FORBIDDEN, Outcome, records_of
from cscore.tenants.defaults import system_item_gsid

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
    raw: Any,
    index: int,
    other: str,
    fixed: tuple[str, str],
    picklists: Picklists,
    fields: writable.WritableFields,
    outcome: Outcome,
) -> Assignment | None:
    """One input record: ``other`` (UserId or CompanyId) plus TeamRole, UserAccess and
    custom fields; ``fixed`` is the path's (field, GSID)."""
    if not isinstance(raw, dict):
        outcome.fail(index, BAD, "record: must be a JSON object")
        return None
    prefix = ids.USER if other == "UserId" else ids.COMPANY
    value = raw.get(other)
    if not isinstance(value, str) or not value.strip():
        outcome.fail(index, BAD, f"{other}: required")
        return None
    value = value.strip()
    if not ids.is_gsid(value, prefix):
        what = "User" if other == "UserId" else "Company"
        outcome.fail(index, BAD, f"{other}: {value!r} is not a {what} GSID")
        return None
    company, user = (fixed[1], value) if other == "UserId" else (value, fixed[1])
    assignment = Assignment(index, company, user)
    for name, given in raw.items():
        if name == other:
            continue
        if name == fixed[0]:
            if given != fixed[1]:
                outcome.fail(index, BAD, f"{name}: must be the one in the path ({fixed[1]}) or left out")
                return None
            continue
        if name == "TeamRole":
            role = picklists.to_gsid("TeamRole", given)
            if role is None:
                outcome.fail(index, BAD, f"TeamRole: {given!r} is no team role of this tenant (GET /v1/teams/roles)")
                return None
            assignment.role = role
        elif name == "UserAccess":
            access = ACCESS_VALUES.get(given.strip().lower()) if isinstance(given, str) else None
            if access is None:
                outcome.fail(index, BAD, f"UserAccess: must be Admin or Member, got {given!r}")
                return None
            assignment.access = access
        elif name not in fields.standard:  # a custom field, or refused (objects.writable)
            stored, problem = team_records.custom_field(fields, name, given)
            if problem:
                outcome.fail(index, BAD, problem)
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


def _assign(principal: Principal, other: str, fixed: tuple[str, str], body: Any) -> dict[str, Any]:
    rules.require_enabled(principal)
    records = records_of(body)
    tenant_id = principal.tenant_id
    picklists = Picklists(principal.tenant)
    writable_fields = writable.for_object("CompanyTeam", principal.tenant)
    outcome = Outcome(records)
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

    by_company = fixed[0] == "CompanyId"
    scope = rules.scope_for(principal, {a.company_id for a in parsed} | ({fixed[1]} if by_company else set()))
    if by_company and not scope.manages(fixed[1]):
        raise Forbidden(f"Only super admins and the team admins of company {fixed[1]} may change its team")
    if not parsed:
        return outcome.answer()
    scope.require_some()
    companies = stored.by_gsids(tenant_id, "Company", sorted({a.company_id for a in parsed} | {fixed[1]}))
    users = stored.by_gsids(tenant_id, "User", sorted({a.user_id for a in parsed} | {fixed[1]}))
    if fixed[1] not in (companies if by_company else users):
        what = "company" if by_company else "user"
        raise NotFound(f"No {what} with GSID {fixed[1]} in this tenant")
    store = team_records.new_store(principal)
    existing = team_records.find(store, ((a.company_id, a.user_id) for a in parsed))
    chains = managers.chains(tenant_id, {a.user_id: users[a.user_id] for a in parsed if a.user_id in users})

    inserts: list[tuple[Assignment, dict[str, Any]]] = []
    updates: list[tuple[Assignment, dict[str, Any], dict[str, Any]]] = []
    for a in parsed:
        before = existing.get((a.company_id, a.user_id))
        # Permission before existence: a company the caller does not manage answers the
        # same whether it exists or not.
        problem = scope.write_problem(a.company_id, before, a.access or (None if before else rules.MEMBER))
        if problem:
            outcome.fail(a.index, FORBIDDEN, problem)
            continue
        if a.company_id not in companies:
            outcome.fail(a.index, BAD, f"CompanyId: no company with GSID {a.company_id} in this tenant")
            continue
        if a.user_id not in users:
            outcome.fail(a.index, BAD, f"UserId: no user with GSID {a.user_id} in this tenant")
            continue
        if before is not None and before.get("UserSource") == team_records.SALESFORCE:
            outcome.fail(a.index, CONFLICT, team_records.OWNED_BY_SYNC)
            continue
        fields: dict[str, Any] = {**a.custom, **managers.as_fields(chains[a.user_id])}
        if a.role:
            fields["TeamRole"] = a.role
        if a.access:
            fields["UserAccess"] = a.access
        if before is None:
            defaults = {"TeamRole": default_role(picklists), "UserAccess": rules.MEMBER}
            new = {"CompanyId": a.company_id, "UserId": a.user_id, **defaults, "UserSource": team_records.MANUAL}
            inserts.append((a, new | {k: v for k, v in fields.items() if v is not None}))
        else:
            updates.append((a, before, fields))
    created = store.upsert([(None, values) for _, values in inserts])
    store.upsert([(before, values) for _, before, values in updates])
    store.flush()
    now = store.records(before["Gsid"] for _, before, _ in updates)
    written = [(a, record) for (a, _), record in zip(inserts, created, strict=True)]
    written += [(a, now[before["Gsid"]]) for a, before, _ in updates]
    for a, record in written:
        outcome.done(a.index, team_records.shown(record, picklists, users, companies))
    return outcome.answer()


def assign_users(principal: Principal, company_id: str, body: Any) -> dict[str, Any]:
    """POST /v1/teams/companies/{companyId}/members: ``{records: [{UserId, TeamRole?,
    UserAccess?}]}``."""
    return _assign(principal, "UserId", ("CompanyId", company_id), body)


def assign_companies(principal: Principal, user_id: str, body: Any) -> dict[str, Any]:
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
