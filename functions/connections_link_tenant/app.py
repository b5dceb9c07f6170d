"""POST /v1/connectors/salesforce/connections/{connectionId}/link-tenant: link the tenant
to the org (needs the platform's managed package in the org)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import connections

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/connectors/salesforce/connections/<connection_id>/link-tenant")
def link_tenant(connection_id: str) -> dict[str, Any]:
    return connections.link_tenant(app.principal, connection_id)


handler = lambda_entry(app)
