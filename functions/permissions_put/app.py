"""PUT /v1/permissions/company: set {public, teamBased, rules} (SPEC §4.3)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.permissions import settings
from cscore.permissions.models import CompanySettings

app = build_resolver(family="standard", access="super_admin")


@app.put("/v1/permissions/company")
def put_settings(body: CompanySettings) -> dict[str, Any]:
    return settings.put_settings(app.principal, body)


handler = lambda_entry(app)
