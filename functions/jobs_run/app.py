"""POST /v1/connectors/jobs/{jobId}/run: run a job now (and, if asked, its dependents)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.sync import runs

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/connectors/jobs/<job_id>/run")
def run_job(job_id: str) -> dict:
    return app.respond(runs.run_now(app.principal, job_id, request.json_body(app.current_event.raw_event)), 202)


handler = lambda_entry(app)
