"""GET /v1/teams/companies/{companyId}/members: a company's team (SPEC §4.4)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import membership

app = build_resolver(family="standard", access="any")


@app.get("/v1/teams/companies/<company_id>/members")
def company_members(company_id: str) -> dict[str, Any]:
    return membership.company_members(app.principal, company_id)


handler = lambda_entry(app)
