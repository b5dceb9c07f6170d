"""POST /v1.0/admin/connector/job/bulkimport/upload-url: a pre-signed S3 upload URL and its
``uploadId``, for files too large to send through the API."""

from cscore.api import request
from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import imports

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1.0/admin/connector/job/bulkimport/upload-url")
def create_upload_url() -> dict:
    return imports.upload_url(app.principal, request.json_body(app.current_event.raw_event))


handler = lambda_entry(app)
