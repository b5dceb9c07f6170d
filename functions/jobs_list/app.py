"""GET /v1/connectors/jobs?connectionId=: the tenant's connector jobs (data.jobs)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import jobs

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1/connectors/jobs")
def list_jobs() -> dict:
    return jobs.list_jobs(app.principal, request.flag(app.current_event.raw_event, "connectionId"))


handler = lambda_entry(app)
