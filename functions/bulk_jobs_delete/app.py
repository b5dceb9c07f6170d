"""DELETE /v1.0/admin/connector/job/bulk/{jobId}: a bulk job's definition (409 while one of
its imports has not ended)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import definitions

app = build_resolver(family="standard", access="super_admin")


@app.delete("/v1.0/admin/connector/job/bulk/<job_id>")
def delete_bulk_job(job_id: str) -> dict[str, Any]:
    return definitions.delete_job(app.principal, job_id)


handler = lambda_entry(app)
