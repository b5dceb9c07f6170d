"""POST /v1/teams/users/{userId}/companies: assign companies to a user (SPEC §4.4)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import membership
from cscore.teams.models import AssignCompanies

app = build_resolver(family="standard", access="any")


@app.post("/v1/teams/users/<user_id>/companies")
def assign_companies(user_id: str, body: AssignCompanies) -> dict[str, Any]:
    return membership.assign_companies(app.principal, user_id, body)


handler = lambda_entry(app)
