"""POST /v1/connectors/salesforce/connections/{connectionId}/revoke: revoke at Salesforce,
forget the tokens, disable the connection's jobs (SPEC §3.1)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import connections

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/connectors/salesforce/connections/<connection_id>/revoke")
def revoke(connection_id: str) -> dict[str, Any]:
    return connections.revoke(app.principal, connection_id)


handler = lambda_entry(app)
