"""PUT /v1/permissions/company: set {public, teamBased, rules} (SPEC §4.3)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.permissions import settings

app = build_resolver(family="standard", access="super_admin")


@app.put("/v1/permissions/company")
def put_settings() -> dict:
    return settings.put_settings(app.principal, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
