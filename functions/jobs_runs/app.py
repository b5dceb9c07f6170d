"""GET /v1/connectors/jobs/{jobId}/runs?limit=: a job's runs, newest first (data.runs)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.sync import runs

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/connectors/jobs/<job_id>/runs")
def list_runs(job_id: str) -> dict:
    return runs.list_runs(app.principal, job_id, request.flag(app.current_event.raw_event, "limit"))


handler = lambda_entry(app)
