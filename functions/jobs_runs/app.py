"""GET /v1/connectors/jobs/{jobId}/runs?limit=: a job's runs, newest first (data.runs)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.sync import runs

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/connectors/jobs/<job_id>/runs")
def list_runs(job_id: str, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    return runs.list_runs(app.principal, job_id, limit)


handler = lambda_entry(app)
