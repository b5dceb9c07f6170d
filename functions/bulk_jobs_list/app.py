"""GET /v1.0/admin/connector/job/bulk?pageNumber=&pageSize=: the tenant's bulk jobs (data.jobs)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import definitions

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1.0/admin/connector/job/bulk")
def list_bulk_jobs(
    pageNumber: Annotated[int, Query(ge=1, le=100)] = 1,
    pageSize: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    return definitions.list_jobs(app.principal, pageNumber, pageSize)


handler = lambda_entry(app)
