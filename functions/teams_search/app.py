"""POST /v1/teams/search: find a company or a user by name or GSID (SPEC §4.4)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import search

app = build_resolver(family="standard", access="any")


@app.post("/v1/teams/search")
def search_teams() -> dict:
    return search.search(app.principal, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
