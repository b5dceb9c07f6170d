"""PUT /v1/users/services/scim/Groups/{id} (alias /scim/v2/Groups/{id}): rename a
permission bundle and set its members (RFC 7644 §3.5.1); `If-Match` with the
group's ETag (412 when it changed)."""

from aws_lambda_powertools.event_handler import Response

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import groups

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.put("/v1/users/services/scim/Groups/<group_id>")
@app.put("/scim/v2/Groups/<group_id>")
def replace_group(group_id: str) -> Response[str]:
    event = app.current_event
    if_match = request.header_or_none(event.raw_event, "If-Match")
    return app.scim(groups.replace_group(app.principal, group_id, event.json_body, app.scim_base_url(), if_match))


handler = lambda_entry(app)
