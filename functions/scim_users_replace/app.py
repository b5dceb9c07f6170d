"""PUT /v1/users/services/scim/Users/{id} (alias /scim/v2/Users/{id}): replace a user's
attributes (RFC 7644 §3.5.1); `If-Match` with the user's ETag (412 when it changed)."""

from aws_lambda_powertools.event_handler import Response

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import users

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.put("/v1/users/services/scim/Users/<user_id>")
@app.put("/scim/v2/Users/<user_id>")
def replace_user(user_id: str) -> Response[str]:
    event = app.current_event
    if_match = request.header_or_none(event.raw_event, "If-Match")
    return app.scim(users.replace_user(app.principal, user_id, event.json_body, app.scim_base_url(), if_match))


handler = lambda_entry(app)
