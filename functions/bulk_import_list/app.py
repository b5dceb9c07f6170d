"""GET /v1.0/admin/connector/job/bulkimport/status?jobId=&pageNumber=&pageSize=: a bulk
job's imports, newest first (data.imports)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Query

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import imports

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1.0/admin/connector/job/bulkimport/status")
def list_imports(
    jobId: Annotated[str, Query(min_length=1, max_length=255)],
    pageNumber: Annotated[int, Query(ge=1, le=100)] = 1,
    pageSize: Annotated[int, Query(ge=1, le=100)] = 50,
) -> dict[str, Any]:
    return imports.list_for_job(app.principal, jobId, pageNumber, pageSize)


handler = lambda_entry(app)
