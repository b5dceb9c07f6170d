"""GET /v1/users/services/scim/Users (alias /scim/v2/Users): users by SCIM filter, paged
(RFC 7644 §3.4.2)."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import users

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.get("/v1/users/services/scim/Users")
@app.get("/scim/v2/Users")
def list_users() -> Response[str]:
    query = dict(app.current_event.query_string_parameters or {})
    return app.scim(users.list_users(app.principal, query, app.scim_base_url()))


handler = lambda_entry(app)
