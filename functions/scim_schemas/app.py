"""GET /v1/users/services/scim/Schemas (alias /scim/v2/Schemas): SCIM schemas, User with
the enterprise extension and Group (RFC 7644 §4)."""

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.scim import discovery
from cscore.scim.answers import Answer

app = build_resolver(family="users", access="super_admin", shape="scim")


@app.get("/v1/users/services/scim/Schemas")
@app.get("/scim/v2/Schemas")
def schemas() -> Response[str]:
    return app.scim(Answer(200, discovery.discovery("Schemas", app.scim_base_url())))


handler = lambda_entry(app)
