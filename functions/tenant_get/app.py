"""GET /v1/tenant: who am I — tenant, acting user, rate-limit usage per family."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.tenants import service

app = build_resolver(family="standard")


@app.get("/v1/tenant")
def who_am_i() -> dict[str, Any]:
    return service.who_am_i(app.principal)


handler = lambda_entry(app)
