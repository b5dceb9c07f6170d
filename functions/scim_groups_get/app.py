"""GET /v1/users/services/scim/Groups/{id} (alias /scim/v2/Groups/{id}): one permission
bundle as a SCIM Group, with its members."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import groups

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.get("/v1/users/services/scim/Groups/<group_id>")
@app.get("/scim/v2/Groups/<group_id>")
def get_group(group_id: str) -> Response[str]:
    query = dict(app.current_event.query_string_parameters or {})
    return app.scim(groups.get_group(app.principal, group_id, app.scim_base_url(), query))


handler = lambda_entry(app)
