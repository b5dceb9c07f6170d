"""POST /v1/users/services/scim/Users (alias /scim/v2/Users): create a user, or re-activate
the one of that userName deleted through SCIM (RFC 7644 §3.3)."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import users

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.post("/v1/users/services/scim/Users")
@app.post("/scim/v2/Users")
def create_user() -> Response[str]:
    return app.scim(users.create_user(app.principal, app.current_event.json_body, app.scim_base_url()))


handler = lambda_entry(app)
