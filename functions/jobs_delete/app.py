"""DELETE /v1/connectors/jobs/{jobId}: a custom job (out-of-the-box jobs can only be disabled)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import jobs

app = build_resolver(family="standard", access="super_admin")


@app.delete("/v1/connectors/jobs/<job_id>")
def delete_job(job_id: str) -> dict[str, Any]:
    return jobs.delete_job(app.principal, job_id)


handler = lambda_entry(app)
