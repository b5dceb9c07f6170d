"""GET /v1.0/admin/connector/job/bulk/{jobId}: one bulk job as it was defined."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import definitions

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1.0/admin/connector/job/bulk/<job_id>")
def get_bulk_job(job_id: str) -> dict[str, Any]:
    return definitions.get_job(app.principal, job_id)


handler = lambda_entry(app)
