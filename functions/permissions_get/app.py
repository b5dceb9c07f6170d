"""GET /v1/permissions/company: the tenant's company data permission settings (SPEC §4.3)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.permissions import settings

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/permissions/company")
def get_settings() -> dict[str, Any]:
    return settings.get_settings(app.principal)


handler = lambda_entry(app)
