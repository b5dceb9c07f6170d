"""POST /v1/teams/search: find a company or a user by name or GSID (SPEC §4.4)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import search
from cscore.teams.models import Search

app = build_resolver(family="standard", access="any")


@app.post("/v1/teams/search")
def search_teams(body: Search) -> dict[str, Any]:
    return search.search(app.principal, body)


handler = lambda_entry(app)
