"""PUT /v1/connectors/jobs/{jobId}: edit a job (schedule, enabled, filter, mappings, keys)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import jobs
from cscore.connector.models import UpdateJob

app = build_resolver(family="standard", access="super_admin")


@app.put("/v1/connectors/jobs/<job_id>")
def update_job(job_id: str, body: UpdateJob) -> dict[str, Any]:
    return jobs.update_job(app.principal, job_id, body)


handler = lambda_entry(app)
