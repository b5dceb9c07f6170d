"""GET /v1/users/services/scim/Users/{id} (alias /scim/v2/Users/{id}): one SCIM user."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import users

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.get("/v1/users/services/scim/Users/<user_id>")
@app.get("/scim/v2/Users/<user_id>")
def get_user(user_id: str) -> Response[str]:
    query = dict(app.current_event.query_string_parameters or {})
    return app.scim(users.get_user(app.principal, user_id, app.scim_base_url(), query))


handler = lambda_entry(app)
