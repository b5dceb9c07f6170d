"""DELETE /v1/users/services/scim/Users/{id} (alias /scim/v2/Users/{id}): deactivate the
user in the product, gone for SCIM from then on (RFC 7644 §3.6); 204."""

from aws_lambda_powertools.event_handler import Response

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import users

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.delete("/v1/users/services/scim/Users/<user_id>")
@app.delete("/scim/v2/Users/<user_id>")
def delete_user(user_id: str) -> Response[str]:
    if_match = request.header_or_none(app.current_event.raw_event, "If-Match")
    return app.scim(users.delete_user(app.principal, user_id, if_match))


handler = lambda_entry(app)
