"""POST /v1.0/admin/connector/job/bulkimport/upload-url: a pre-signed S3 upload URL and its
``uploadId``, for files too large to send through the API."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body

from cscore.api.resolver import build_resolver, lambda_entry
from cscore.bulkload import imports
from cscore.bulkload.models import NewUpload

app = build_resolver(family="standard", access="super_admin")


@app.post("/v1.0/admin/connector/job/bulkimport/upload-url")
def create_upload_url(body: Annotated[NewUpload | None, Body()] = None) -> dict[str, Any]:
    return imports.upload_url(app.principal)


handler = lambda_entry(app)
