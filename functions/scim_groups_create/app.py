"""POST /v1/users/services/scim/Groups (alias /scim/v2/Groups): create a permission bundle,
with its members (RFC 7644 §3.3)."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import groups

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.post("/v1/users/services/scim/Groups")
@app.post("/scim/v2/Groups")
def create_group() -> Response[str]:
    return app.scim(groups.create_group(app.principal, app.current_event.json_body, app.scim_base_url()))


handler = lambda_entry(app)
