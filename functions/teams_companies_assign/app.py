"""POST /v1/teams/users/{userId}/companies: assign companies to a user (SPEC §4.4)."""

from typing import Any

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import membership

app = build_resolver(family="standard", access="any")


@app.post("/v1/teams/users/<user_id>/companies")
def assign_companies(user_id: str) -> dict[str, Any]:
    return membership.assign_companies(app.principal, user_id, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
