"""PUT /v1/users/services/status?status=: activate or deactivate up to 50 users (SPEC §2.4)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.users import service
from cscore.users.models import Flag, UserIds

app = build_resolver(family="users", access="super_admin")


@app.put("/v1/users/services/status")
def update_status(body: UserIds, status: Annotated[Flag, Query()]) -> dict[str, Any]:
    return service.update_status(app.principal, body.root, status)


handler = lambda_entry(app)
