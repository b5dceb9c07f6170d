"""POST /v1/users/services?notify=: create up to 50 users (SPEC §2.1)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.users import service

app = build_resolver(family="users", access="super_admin")


@app.post("/v1/users/services")
def create_users() -> dict:
    event = app.current_event.raw_event
    return service.create_users(app.principal, request.json_body(event), request.flag(event, "notify"))


handler = lambda_entry(app)
