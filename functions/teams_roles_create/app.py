"""POST /v1/teams/roles: add a team role ``{label}`` (SPEC §4.1)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import roles
from cscore.teams.models import CreateRole

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/teams/roles")
def create_role(body: CreateRole) -> dict[str, Any]:
    return roles.create_role(app.principal, body)


handler = lambda_entry(app)
