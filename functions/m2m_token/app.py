"""POST /v1/users/m2m/oauth/token: client credentials (HTTP Basic) -> one-hour Bearer token.

The token fields are in ``data`` (the envelope) and also at the top level, where OAuth
client libraries look for them.
"""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.auth import service

app = build_resolver(family="users", auth="oauth_client", media_types=(request.FORM,))


@app.post("/v1/users/m2m/oauth/token")
def issue_token() -> Response[dict[str, Any]]:
    grant_type = request.fields(app.current_event.raw_event).get("grant_type")
    token = service.issue_token(app.principal, grant_type)
    return app.respond(token, **token)


handler = lambda_entry(app)
