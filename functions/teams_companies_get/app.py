"""GET /v1/teams/users/{userId}/companies: a user's companies (SPEC §4.4)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import membership

app = build_resolver(family="standard", access="any")


@app.get("/v1/teams/users/<user_id>/companies")
def user_companies(user_id: str) -> dict[str, Any]:
    return membership.user_companies(app.principal, user_id)


handler = lambda_entry(app)
