"""POST /v1/teams/roles: add a team role ``{label}`` (SPEC §4.1)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import roles

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/teams/roles")
def create_role() -> dict:
    return roles.create_role(app.principal, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
