"""POST /v1/teams/companies/{companyId}/members: assign users to a company (SPEC §4.4)."""

from typing import Any

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import membership

app = build_resolver(family="standard", access="any")


@app.post("/v1/teams/companies/<company_id>/members")
def assign_users(company_id: str) -> dict[str, Any]:
    return membership.assign_users(app.principal, company_id, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
