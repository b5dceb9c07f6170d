"""POST /v1/users/m2m/oauth/token: client credentials (HTTP Basic) -> one-hour Bearer token.

The token fields are in ``data`` (the envelope) and also at the top level, where OAuth
client libraries look for them.
"""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Form

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.auth import service

app = build_resolver(family="users", auth="oauth_client", media_types=(request.FORM,))


@app.post("/v1/users/m2m/oauth/token")
def issue_token(
    grant_type: Annotated[Literal["client_credentials", ""] | None, Form()] = None,
) -> Response[dict[str, Any]]:
    # The client's id and secret (Basic, or client_id and client_secret in this form) were
    # checked by the authentication before; other form fields are ignored (RFC 6749 §3.2).
    token = service.issue_token(app.principal)
    return app.respond(token, **token)


handler = lambda_entry(app)
