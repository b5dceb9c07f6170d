"""POST /v1/connectors/jobs: a custom data sync job (source object, optional SOQL filter,
target object, mappings, keys, schedule, dependency)."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import jobs

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/connectors/jobs")
def create_job() -> dict:
    return jobs.create_job(app.principal, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
