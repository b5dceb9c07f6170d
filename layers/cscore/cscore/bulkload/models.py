"""The request shapes of the Bulk API (SPEC §4.5(3)): a job definition and the start of
an import from an upload. What the names mean (columns, fields, the object's key) is
checked by ``definitions``; lookups keep SPEC §2.2's own error codes (``users.lookups``)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from cscore.platform.request_model import RequestModel

MAX_NAME = 255
MAX_HEADERS = 200
Text = Annotated[str, Field(min_length=1, max_length=MAX_NAME, pattern=r"\S")]


class CreateBulkJob(RequestModel):
    name: Text
    objectName: str
    headers: Annotated[list[Text], Field(min_length=1, max_length=MAX_HEADERS)]
    fieldMappings: Annotated[dict[str, str], Field(min_length=1)]
    lookups: Any = None
    keys: list[str]


class StartFromUpload(RequestModel):
    jobId: Text
    uploadId: Text


class NewUpload(RequestModel):
    """No fields: the upload URL is for the caller's tenant."""
