"""GET /v1/users/services/scim/Groups (alias /scim/v2/Groups): permission bundles as SCIM
Groups, by filter, paged (RFC 7644 §3.4.2)."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import groups

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.get("/v1/users/services/scim/Groups")
@app.get("/scim/v2/Groups")
def list_groups() -> Response[str]:
    query = dict(app.current_event.query_string_parameters or {})
    return app.scim(groups.list_groups(app.principal, query, app.scim_base_url()))


handler = lambda_entry(app)
