"""PUT /v1/users/services?key=SFDCUserName|Gsid|SfdcUserId: update up to 50 users (SPEC §2.3)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.platform.deadline import Deadline
from cscore.users import service

app = build_resolver(family="users", access="super_admin")


@app.put("/v1/users/services")
def update_users() -> dict:
    event, deadline = app.current_event.raw_event, Deadline.of(app.lambda_context)
    return service.update_users(app.principal, request.json_body(event), request.flag(event, "key"), deadline)


handler = lambda_entry(app)
