"""GET /v1/connectors/salesforce/connections: the tenant's connections (data.connections)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import connections

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/connectors/salesforce/connections")
def list_connections() -> dict[str, Any]:
    return connections.list_connections(app.principal)


handler = lambda_entry(app)
