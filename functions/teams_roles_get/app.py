"""GET /v1/teams/roles: the tenant's team roles (SPEC §4.1)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.teams import roles

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/teams/roles")
def list_roles() -> dict[str, Any]:
    return roles.list_roles(app.principal)


handler = lambda_entry(app)
