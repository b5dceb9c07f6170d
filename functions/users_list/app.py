"""POST /v1/users/services/list: users with the query language (SPEC §2.5)."""

from typing import Any

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.users import listing

app = build_resolver(family="users", access="super_admin")


@app.post("/v1/users/services/list")
def list_users() -> dict[str, Any]:
    return listing.list_users(app.principal, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
