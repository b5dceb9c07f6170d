"""DELETE /v1/data/objects/Company/{gsid}: delete one company of the caller's tenant."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.companies import service

app = build_resolver(family="standard")


@app.delete("/v1/data/objects/Company/<gsid>")
def delete_company(gsid: str) -> dict[str, Any]:
    return service.delete_company(app.principal, gsid)


handler = lambda_entry(app)
