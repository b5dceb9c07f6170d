"""DELETE /v1/users/services/scim/Groups/{id} (alias /scim/v2/Groups/{id}): delete a
permission bundle; its members lose it (204); `If-Match` with the
group's ETag (412 when it changed)."""

from aws_lambda_powertools.event_handler import Response

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import groups

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.delete("/v1/users/services/scim/Groups/<group_id>")
@app.delete("/scim/v2/Groups/<group_id>")
def delete_group(group_id: str) -> Response[str]:
    if_match = request.header_or_none(app.current_event.raw_event, "If-Match")
    return app.scim(groups.delete_group(app.principal, group_id, if_match))


handler = lambda_entry(app)
