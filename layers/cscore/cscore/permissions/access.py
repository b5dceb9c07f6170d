"""Deciding company access (SPEC §4.3) for a user:

    allowed(U, C) = U is a super admin or public or some rule matches (U, C)
                    or (teamBased and (U is on C's team or a manager, level 1-3, of a member))

Team facts come from Company Team items keyed by company and user: U's record on C's
team (keyed by ``CompanyUser`` = "C#U") and the index items ``CompanyManager<k>`` = "C#U",
so one decision costs one batched read whatever the team sizes; the companies a user sees through teams come from
its own memberships and its ``Manager<k>`` entries, read in proportion to them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import COMPANY, COMPANY_TEAM, USER
from cscore.errors import BadRequest, Forbidden, NotFound
from cscore.permissions import rules
from cscore.platform import keys, table
from cscore.platform.dynamo import Item
from cscore.query.model import Schema

LEVELS = (1, 2, 3)


@dataclass
class Facts:
    """What the decision for one (user, company) rests on."""

    member: bool = False
    managing: list[tuple[int, list[str]]] = field(default_factory=list)  # (level, team record GSIDs)
    refs: dict[str, str] = field(default_factory=dict)  # team record GSID -> its key (CompanyUser)


def schemas() -> tuple[Schema, Schema]:
    """The User and Company query schemas, which rules are written in."""
    return USER.query_schema, COMPANY.query_schema


def _team_keys(tenant_id: str, user_gsid: str, company_gsid: str) -> list[Item]:
    pair = f"{company_gsid}#{user_gsid}"
    return [
        COMPANY_TEAM.shape.record_key(tenant_id, pair),
        *(keys.lookup_index(tenant_id, "CompanyTeam", f"CompanyManager{k}", pair) for k in LEVELS),
    ]


def _facts(found: list[dict[str, Any] | None]) -> Facts:
    member, *levels = found
    refs: dict[str, str] = {}
    for item in levels:
        refs |= {str(g): str(r) for g, r in ((item or {}).get("refs") or {}).items()}
    return Facts(
        member=member is not None,
        managing=[(k, list(item.get("gsids") or [])) for k, item in zip(LEVELS, levels, strict=True) if item],
        refs=refs,
    )


def reasons(
    principal_is_super_admin: bool,
    settings: dict[str, Any],
    user: dict[str, Any],
    company: dict[str, Any],
    facts: Facts,
    members: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Every reason the user may access the company (empty: no access)."""
    user_schema, company_schema = schemas()
    found: list[dict[str, Any]] = []
    if principal_is_super_admin:
        found.append({"kind": "SUPER_ADMIN", "detail": "Super admins access every company"})
    if settings["public"]:
        found.append({"kind": "PUBLIC", "detail": "Company data is public in this tenant"})
    for rule in rules.user_rules(settings, user, user_schema):
        if rules.rule_matches(rule, user, company, company_schema):
            found.append({"kind": "RULE", "detail": rule["name"]})
    if settings["teamBased"]:
        if facts.member:
            found.append({"kind": "TEAM_MEMBER", "detail": f"On the team of {company.get('Name')}"})
        for level, team_records in facts.managing:
            for record in team_records:
                member = (members or {}).get(record, record)
                found.append({"kind": "MANAGER", "detail": {"level": level, "member": member}})
    return found


def check(principal: Principal, user_id: str | None, company_id: str | None) -> dict[str, Any]:
    """GET /v1/permissions/company/access: {allowed, reasons}. Anyone may ask about
    themselves; only super admins about others."""
    if not company_id:
        raise BadRequest("companyId: required")
    user_id = user_id or principal.user_gsid
    if user_id != principal.user_gsid and not principal.is_super_admin:
        raise Forbidden("Only super admins may check another user's access")
    tenant_id = principal.tenant_id
    wanted = [keys.user(tenant_id, user_id), keys.record(tenant_id, "Company", company_id)]
    user, company, *team = table.read_many(wanted + _team_keys(tenant_id, user_id, company_id))
    if user is None:
        raise NotFound(f"userId: no user {user_id}")
    if company is None:
        raise NotFound(f"companyId: no company {company_id}")
    facts = _facts(team)
    team_gsids = [g for _, gsids in facts.managing for g in gsids]
    members = {}
    refs = sorted({facts.refs[g] for g in team_gsids if g in facts.refs})
    if refs:
        found = table.read_many([COMPANY_TEAM.shape.record_key(tenant_id, ref) for ref in refs])
        members = {str(r["Gsid"]): str(r.get("UserId")) for r in found if r is not None}
    settings = rules.settings_of(principal.tenant)
    found_reasons = reasons(bool(user.get("IsSuperAdmin")), settings, user, company, facts, members)
    return {"allowed": bool(found_reasons), "reasons": found_reasons}


def permitted(principal: Principal, companies: list[dict[str, Any]]) -> list[bool]:
    """One flag per company (in order) for the caller: one batched read for them all."""
    if principal.is_super_admin:
        return [True for _ in companies]
    settings = rules.settings_of(principal.tenant)
    if settings["public"]:
        return [True for _ in companies]
    tenant_id, me = principal.tenant_id, principal.user_gsid
    wanted: list[Item] = [keys.user(tenant_id, me)]
    teams = bool(settings["teamBased"])  # else no team fact decides anything: none is read
    for company in companies:
        wanted += _team_keys(tenant_id, me, str(company.get("Gsid"))) if teams else []
    found = table.read_many(wanted)
    user = found[0] or {}
    flags = []
    for i, company in enumerate(companies):
        facts = _facts(found[1 + 4 * i : 5 + 4 * i]) if teams else Facts()
        flags.append(bool(reasons(False, settings, user, company, facts)))
    return flags


def permits_all(principal: Principal) -> bool:
    """Whether the caller sees every company without looking at any (super admin, public)."""
    return principal.is_super_admin or bool(rules.settings_of(principal.tenant)["public"])


def visible_companies(principal: Principal) -> set[str] | None:
    """GSIDs of the companies the caller may see, or None when that is not narrower than
    "all of them" (super admin, public, or a rule that applies to the caller: those are
    decided per company by ``permitted``)."""
    if principal.is_super_admin:
        return None
    settings = rules.settings_of(principal.tenant)
    if settings["public"]:
        return None
    tenant_id = principal.tenant_id
    user = table.read_one(keys.user(tenant_id, principal.user_gsid)) or {}
    user_schema, _ = schemas()
    if rules.user_rules(settings, user, user_schema):
        return None
    if not settings["teamBased"]:
        return set()
    mine = table.query_all(
        IndexName="GSI3",
        KeyConditionExpression="GSI3PK = :pk",
        ExpressionAttributeValues={":pk": {"S": keys.related(tenant_id, "CompanyTeam", "User", principal.user_gsid)}},
    )
    visible = {str(item["CompanyId"]) for item in mine if item.get("CompanyId")}
    visible |= {
        str(r["CompanyId"]) for r in _managed_team_records(tenant_id, principal.user_gsid) if r.get("CompanyId")
    }
    return visible


def _managed_team_records(tenant_id: str, manager_gsid: str) -> list[dict[str, Any]]:
    """The team records whose member the user manages (level 1-3): its ``Manager<k>``
    index items name them (GSIDs and refs), then the records themselves; two batched
    reads whatever the number of levels."""
    index = table.read_many([keys.lookup_index(tenant_id, "CompanyTeam", f"Manager{k}", manager_gsid) for k in LEVELS])
    refs = {str(g): str(ref) for item in index if item for g, ref in (item.get("refs") or {}).items()}
    named = {g: refs[g] for item in index if item for g in item.get("gsids") or [] if g in refs}
    if not named:
        return []
    found = table.read_many([COMPANY_TEAM.shape.record_key(tenant_id, ref) for ref in sorted(set(named.values()))])
    return [r for r in found if r is not None and str(r.get("Gsid")) in named]


class CompanyVisibility:
    """Which companies one caller may see, for one request. Without reads when the caller
    sees every company (super admin, public) or a known set (its teams); company by
    company when a rule applies to it: each company decided once, many with one batched
    read (``permitted``)."""

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.everything = permits_all(principal)
        self._decided: dict[str, bool] = {}

    @cached_property
    def known(self) -> set[str] | None:
        """The visible companies when that set is known (``visible_companies``)."""
        return None if self.everything else visible_companies(self.principal)

    def visible(self, companies: Sequence[Mapping[str, Any]]) -> set[str]:
        """GSIDs of the given companies (records) the caller may see."""
        gsids = [str(c.get("Gsid")) for c in companies]
        if self.everything:
            return set(gsids)
        if self.known is not None:
            return {g for g in gsids if g in self.known}
        undecided = {str(c.get("Gsid")): dict(c) for c in companies if str(c.get("Gsid")) not in self._decided}
        if undecided:
            ordered = sorted(undecided)
            flags = permitted(self.principal, [undecided[g] for g in ordered])
            self._decided.update(zip(ordered, flags, strict=True))
        return {g for g in gsids if self._decided.get(g)}
