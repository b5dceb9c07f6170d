"""POST /v1/users/services?notify=: create up to 50 users (SPEC §2.1)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from cscore.api import idempotency, request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.platform.deadline import Deadline
from cscore.users import service
from cscore.users.models import Flag, UserRecords

app = build_resolver(family="users", access="super_admin")


@app.post("/v1/users/services")
def create_users(body: UserRecords, notify: Annotated[Flag | None, Query()] = None) -> dict[str, Any]:
    event, context = app.current_event.raw_event, app.lambda_context
    fields = body.model_dump(exclude_unset=True)
    key = request.header_or_none(event, idempotency.HEADER)
    deadline = Deadline.of(context)
    return idempotency.once(
        app.principal.tenant_id,
        key,
        [fields, notify],
        lambda: service.create_users(app.principal, fields, notify, deadline),
        context,
    )


handler = lambda_entry(app)
