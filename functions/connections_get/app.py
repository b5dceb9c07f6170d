"""GET /v1/connectors/salesforce/connections/{connectionId}: one connection (SPEC §3.1 view)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import connections

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/connectors/salesforce/connections/<connection_id>")
def get_connection(connection_id: str) -> dict[str, Any]:
    return connections.get_connection(app.principal, connection_id)


handler = lambda_entry(app)
