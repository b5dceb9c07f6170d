"""PUT /v1/connectors/salesforce/connections/{connectionId}/company-resolution:
which Account field identifies a Company, and which Company field holds it."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import connections
from cscore.connector.models import CompanyResolution

app = build_resolver(family="standard", access="super_admin")


@app.put("/v1/connectors/salesforce/connections/<connection_id>/company-resolution")
def set_company_resolution(connection_id: str, body: CompanyResolution) -> dict[str, Any]:
    return connections.set_company_resolution(app.principal, connection_id, body)


handler = lambda_entry(app)
