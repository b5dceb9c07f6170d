"""GET /v1/users/services/scim/ResourceTypes (alias /scim/v2/ResourceTypes): SCIM resource
types, User and Group (RFC 7644 §4)."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import discovery
from cscore.scim.answers import Answer

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.get("/v1/users/services/scim/ResourceTypes")
@app.get("/scim/v2/ResourceTypes")
def resource_types() -> Response[str]:
    return app.scim(Answer(200, discovery.discovery("ResourceTypes", app.scim_base_url())))


handler = lambda_entry(app)
