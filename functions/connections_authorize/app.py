"""POST /v1/connectors/salesforce/connections/{connectionId}/authorize: the Salesforce
authorization URL (web server flow, single-use state, PKCE) to open in a browser."""

from typing import Any

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import connections

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/connectors/salesforce/connections/<connection_id>/authorize")
def authorize(connection_id: str) -> dict[str, Any]:
    callback = request.public_url(app.current_event.raw_event, connections.CALLBACK_PATH)
    return connections.authorize(app.principal, connection_id, callback)


handler = lambda_entry(app)
