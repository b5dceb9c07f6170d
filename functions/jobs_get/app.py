"""GET /v1/connectors/jobs/{jobId}: one job (SPEC §3.2 job view)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import jobs

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/connectors/jobs/<job_id>")
def get_job(job_id: str) -> dict[str, Any]:
    return jobs.get_job(app.principal, job_id)


handler = lambda_entry(app)
