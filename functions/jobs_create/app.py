"""POST /v1/connectors/jobs: a custom data sync job (source object, optional SOQL filter,
target object, mappings, keys, schedule, dependency)."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.connector import jobs
from cscore.connector.models import CreateJob

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1/connectors/jobs")
def create_job(body: CreateJob) -> dict[str, Any]:
    return jobs.create_job(app.principal, body)


handler = lambda_entry(app)
