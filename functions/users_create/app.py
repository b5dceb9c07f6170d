"""POST /v1/users/services?notify=: create up to 50 users (SPEC §2.1)."""

from cscore.api import idempotency, request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.platform.deadline import Deadline
from cscore.users import service

app = build_resolver(family="users", access="super_admin")


@app.post("/v1/users/services")
def create_users() -> dict:
    event, context = app.current_event.raw_event, app.lambda_context
    body, notify = request.json_body(event), request.flag(event, "notify")
    key = request.header_or_none(event, idempotency.HEADER)
    deadline = Deadline.of(context)
    return idempotency.once(
        app.principal.tenant_id,
        key,
        [body, notify],
        lambda: service.create_users(app.principal, body, notify, deadline),
        context,
    )


handler = lambda_entry(app)
