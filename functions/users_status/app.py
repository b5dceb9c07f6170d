"""PUT /v1/users/services/status?status=: activate or deactivate up to 50 users (SPEC §2.4)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.users import service

app = build_resolver(family="users", access="super_admin")


@app.put("/v1/users/services/status")
def update_status() -> dict:
    event = app.current_event.raw_event
    return service.update_status(app.principal, request.json_body(event), request.flag(event, "status"))


handler = lambda_entry(app)
