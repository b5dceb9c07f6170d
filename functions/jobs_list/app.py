"""GET /v1/connectors/jobs?connectionId=: the tenant's connector jobs (data.jobs)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import jobs

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/connectors/jobs")
def list_jobs(connectionId: Annotated[str | None, Query()] = None) -> dict[str, Any]:
    return jobs.list_jobs(app.principal, connectionId)


handler = lambda_entry(app)
