"""POST /v1/users/services/list: users with the query language (SPEC §2.5)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.users import listing
from cscore.users.models import UserQuery

app = build_resolver(family="users", access="super_admin")


@app.post("/v1/users/services/list")
def list_users(body: UserQuery) -> dict[str, Any]:
    return listing.list_users(app.principal, body)


handler = lambda_entry(app)
