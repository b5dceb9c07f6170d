"""Who may do what with Company Teams (SPEC §1.1, §4.2).

- Super admins do everything, and are the only ones who create, edit or remove team
  admins (records with UserAccess ``Admin``).
- A team admin (a user with an ``Admin`` record on company C) adds, changes and removes
  the Members of C's team, and of no other team.
- Anyone else: 403 ``GS_1403``.
- A tenant whose setting ``companyTeamsEnabled`` is false answers every team endpoint
  with 409 ``GS_1409``.

Checks about given companies read the caller's own records on them with strongly
consistent reads (a just-promoted admin is an admin at once); listings of every team a
caller administers use the "a user's companies" index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cscore.auth.principal import Principal
from cscore.catalog import COMPANY_TEAM
from cscore.errors import Conflict, Forbidden
from cscore.objects.bulk import BulkStore
from cscore.platform import records

ADMIN, MEMBER = "Admin", "Member"
DISABLED = "Company Teams are disabled"
NOT_ALLOWED = "Only super admins and team admins may manage Company Teams"


def require_enabled(principal: Principal) -> None:
    """409 when the tenant has Company Teams switched off."""
    if principal.tenant.get("companyTeamsEnabled") is False:
        raise Conflict(DISABLED)


@dataclass(frozen=True)
class Scope:
    """The teams a caller manages: every team (``companies`` None, a super admin) or the
    companies it is a team admin of."""

    companies: frozenset[str] | None

    @property
    def everything(self) -> bool:
        return self.companies is None

    def manages(self, company_id: object) -> bool:
        return self.companies is None or company_id in self.companies

    def require_some(self) -> None:
        """403 unless the caller manages at least one team."""
        if self.companies is not None and not self.companies:
            raise Forbidden(NOT_ALLOWED)

    def write_problem(self, company_id: str, before: Mapping[str, Any] | None, access: str | None) -> str | None:
        """Why the caller may not write (or, ``access`` None, remove) a member of a
        company's team; None when it may. ``before`` is the stored record, if any."""
        if self.companies is None:
            return None
        if company_id not in self.companies:
            return f"not a team admin of company {company_id}"
        if before is not None and before.get("UserAccess") == ADMIN:
            return "only super admins may edit or remove a team admin"
        if access == ADMIN:
            return "only super admins may make a user a team admin"
        return None


EVERYTHING = Scope(None)


def scope_for(principal: Principal, companies: Iterable[str]) -> Scope:
    """The caller's scope among ``companies``: its own records on them, read strongly
    consistently at their keys (one BatchGetItem call per 100 companies)."""
    if principal.is_super_admin:
        return EVERYTHING
    wanted = {c for c in companies if isinstance(c, str) and c}
    if not wanted:
        return Scope(frozenset())
    store = BulkStore(principal.tenant_id, COMPANY_TEAM.shape, principal.user_gsid)
    pairs = {company: f"{company}#{principal.user_gsid}" for company in wanted}
    mine = store.by_key(pairs.values())
    admin = set()
    for company, pair in pairs.items():
        record = mine.get(pair)
        if record and record.get("CompanyId") == company and record.get("UserAccess") == ADMIN:
            admin.add(company)
    return Scope(frozenset(admin))


def listed_scope(principal: Principal) -> Scope:
    """Every team the caller administers (the "a user's companies" listing)."""
    if principal.is_super_admin:
        return EVERYTHING
    rows = records.related(principal.tenant_id, "CompanyTeam", "User", principal.user_gsid, "GSI3")
    return Scope(frozenset(str(r["CompanyId"]) for r in rows if r.get("UserAccess") == ADMIN and r.get("CompanyId")))
