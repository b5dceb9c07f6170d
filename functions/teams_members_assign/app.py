"""POST /v1/teams/companies/{companyId}/members: assign users to a company (SPEC §4.4)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import membership
from cscore.teams.models import AssignUsers

app = build_resolver(family="standard", access="any")


@app.post("/v1/teams/companies/<company_id>/members")
def assign_users(company_id: str, body: AssignUsers) -> dict[str, Any]:
    return membership.assign_users(app.principal, company_id, body)


handler = lambda_entry(app)
