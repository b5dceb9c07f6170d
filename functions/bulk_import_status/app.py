"""GET /v1.0/admin/connector/job/bulkimport/status/{statusId}: an import's status and counts."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import imports

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1.0/admin/connector/job/bulkimport/status/<status_id>")
def import_status(status_id: str) -> dict[str, Any]:
    return imports.status(app.principal, status_id)


handler = lambda_entry(app)
