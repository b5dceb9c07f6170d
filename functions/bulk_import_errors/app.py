"""GET /v1.0/admin/connector/job/bulkimport/status/{statusId}/errors: the rejected rows as CSV
(input columns + ``reason``), or a pre-signed URL to them when the file is large."""

from typing import Any

from aws_lambda_powertools.event_handler import Response

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import imports

app = build_resolver(family="standard", access="super_admin")


@app.get("/v1.0/admin/connector/job/bulkimport/status/<status_id>/errors")
def import_errors(status_id: str) -> Any:
    body, data = imports.errors(app.principal, status_id)
    if body is None:
        return data  # the envelope, with the pre-signed URL
    headers = {"Content-Disposition": f'attachment; filename="import-{status_id}-errors.csv"'}
    return Response(200, "text/csv; charset=utf-8", body, headers)


handler = lambda_entry(app)
