"""POST /v1.0/admin/connector/job/bulk: define a bulk CSV job into Company Team (CSV header
mappings, lookups, keys) → ``jobId``."""

from typing import Any

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import definitions
from cscore.bulkload.models import CreateBulkJob

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1.0/admin/connector/job/bulk")
def create_bulk_job(body: CreateBulkJob) -> dict[str, Any]:
    return definitions.create_job(app.principal, body)


handler = lambda_entry(app)
