"""POST /v1/connectors/salesforce/connections: create the tenant's Salesforce connection (SPEC §3.1)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import connections
from cscore.connector.models import CreateConnection

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/connectors/salesforce/connections")
def create_connection(body: CreateConnection) -> dict[str, Any]:
    return connections.create_connection(app.principal, body)


handler = lambda_entry(app)
