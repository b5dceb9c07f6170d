"""DELETE /v1/teams/companies/{companyId}/members/{userId}: remove a member (SPEC §4.4)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import membership

app = build_resolver(family="standard", access="any")


@app.delete("/v1/teams/companies/<company_id>/members/<user_id>")
def remove_member(company_id: str, user_id: str) -> dict[str, Any]:
    return membership.remove_member(app.principal, company_id, user_id)


handler = lambda_entry(app)
