"""POST /v1/connectors/jobs/{jobId}/run: run a job now (and, if asked, its dependents)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector.models import RunJob
from cscore.sync import runs

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/connectors/jobs/<job_id>/run")
def run_job(job_id: str, body: Annotated[RunJob | None, Body()] = None) -> Response[Any]:
    with_dependents = body is not None and body.withDependents
    return app.respond(runs.run_now(app.principal, job_id, with_dependents), 202)


handler = lambda_entry(app)
