"""POST /v1.0/admin/connector/job/bulkimport: start a CSV import, from a multipart upload
(``file`` + ``jobId``, up to 4 MB) or from a pre-signed upload (``{jobId, uploadId}``) →
``statusId``. Bulk rate limits apply."""

from typing import Any

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import imports

app = build_resolver(family="bulk", access="super_admin", media_types=(request.MULTIPART,))


@app.post("/v1.0/admin/connector/job/bulkimport")
def start_import() -> dict[str, Any]:
    # The service reads the raw event: content type, isBase64Encoded and the body as sent.
    return imports.start(app.principal, app.current_event.raw_event)


handler = lambda_entry(app)
