"""PUT /v1/users/services?key=SFDCUserName|Gsid|SfdcUserId: update up to 50 users (SPEC §2.3)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.platform.deadline import Deadline
from cscore.users import service
from cscore.users.models import UpdateUsers

app = build_resolver(family="users", access="super_admin")


@app.put("/v1/users/services")
def update_users(body: UpdateUsers, key: Annotated[str | None, Query()] = None) -> dict[str, Any]:
    # An unknown key keeps its own error code (GU_2409): the service checks it.
    fields = body.model_dump(exclude_unset=True)
    return service.update_users(app.principal, fields, key, Deadline.of(app.lambda_context))


handler = lambda_entry(app)
