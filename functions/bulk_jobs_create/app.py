"""POST /v1.0/admin/connector/job/bulk: define a bulk CSV job into Company Team (CSV header
mappings, lookups, keys) → ``jobId``."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import definitions

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1.0/admin/connector/job/bulk")
def create_bulk_job() -> dict:
    return definitions.create_job(app.principal, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
