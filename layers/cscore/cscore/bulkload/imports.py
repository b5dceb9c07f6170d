"""Imports of CSV files through a bulk job (SPEC §4.5(3)): the upload endpoints, the
status view and the errors file.

Two ways in, one import afterwards:

* ``POST .../bulkimport`` multipart ``file`` + ``jobId`` (files up to 4 MB, what a
  Lambda request can carry): the file is checked whole here — a file that is not CSV,
  has no header row or lacks a mapped column is refused (400) with nothing written —
  then stored under ``imports/``, whose S3 event starts the worker.
* ``POST .../bulkimport/upload-url`` hands out a pre-signed PUT URL and an
  ``uploadId``; after the PUT, ``POST .../bulkimport {jobId, uploadId}`` checks the
  size and the header row and queues the import. The whole file is checked by the
  worker before it writes anything (an import of a broken file ends FAILED).

Status: INIT (accepted) -> IN_PROGRESS (the worker checked the file; ``total`` known)
-> COMPLETED | FAILED. Counts: ``processed = success + failed``; ``success`` is the sum
of inserted, updated, unchanged, deleted and skipped (a delete of a membership that was
not there); ``failed`` the rejected rows, which the errors file lists with a reason.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cscore.auth.principal import Principal
from cscore.bulkload import csvfile, definitions, repository, storage
from cscore.bulkload.definitions import OUTCOMES
from cscore.bulkload.models import StartFromUpload
from cscore.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, UnsupportedMediaType
from cscore.platform import aws, clock, config, csv_export, ids, request_model

INIT, IN_PROGRESS, COMPLETED, FAILED = "INIT", "IN_PROGRESS", "COMPLETED", "FAILED"
FINAL = (COMPLETED, FAILED)
MAX_DIRECT_BYTES = 4 * 1024 * 1024  # multipart uploads (Lambda's 6 MB request, base64)
MAX_FILE_BYTES = 512 * 1024 * 1024  # uploads through a pre-signed URL
HEADER_PROBE_BYTES = 1024 * 1024  # the header row must lie within the first MB
INLINE_ERRORS_BYTES = 5 * 1024 * 1024  # larger errors files are handed over as a URL
_VIEW = ("statusId", "jobId", "status", "reason", "total", "processed", "success", "failed")
_DATES = ("createdDate", "completedDate")


def view(status: dict[str, Any]) -> dict[str, Any]:
    """The status view: SPEC's fields, then the count of every row outcome."""
    counts = status.get("counts") or {}
    success = sum(int(counts.get(name, 0)) for name in OUTCOMES if name != "rejected")
    failed = int(counts.get("rejected", 0))
    shown = {name: status.get(name) for name in _VIEW}
    shown |= {"processed": success + failed, "success": success, "failed": failed}
    shown |= {name: status.get(name) for name in _DATES}
    return shown | {name: int(counts.get(name, 0)) for name in OUTCOMES}


def _header_problem(job: dict[str, Any], header: list[str]) -> str | None:
    needed = list(job["fieldMappings"]) + [c for spec in job["lookups"].values() for c in spec["fields"]]
    missing = [column for column in dict.fromkeys(needed) if column not in header]
    if missing:
        return f"the header row lacks the column(s) the job maps: {', '.join(missing)}"
    return None


def check_file(job: dict[str, Any], chunks: Any) -> csvfile.Shape:
    """The whole file read once: a CSV file with the job's columns (400 otherwise)."""
    try:
        shape = csvfile.check(chunks)
    except csvfile.NotCsv as exc:
        raise BadRequest(f"file: not a CSV file this API reads ({exc})") from None
    problem = _header_problem(job, shape.header)
    if problem:
        raise BadRequest(f"file: {problem}")
    return shape


def _new_status(principal: Principal, job: dict[str, Any], source: str, object_key: str = "") -> dict[str, Any]:
    """A new import in INIT; its file is ``object_key`` (default: under ``imports/``)."""
    status_id = ids.new_gsid(ids.BULK_IMPORT)
    return {
        "statusId": status_id,
        "jobId": job["jobId"],
        "status": INIT,
        "reason": None,
        "total": None,
        "counts": dict.fromkeys(OUTCOMES, 0),
        "objectKey": object_key or storage.import_key(principal.tenant_id, status_id),
        "source": source,
        "createdDate": clock.iso(),
        "createdBy": principal.user_gsid,
        "completedDate": None,
        "checkpoint": None,
        "errorParts": 0,
    }


def enqueue(tenant_id: str, status_id: str, delay_seconds: int = 0) -> None:
    """A message that starts or continues the import (after ``delay_seconds``, at most 900)."""
    aws.sqs().send_message(
        QueueUrl=config.bulk_imports_queue_url(),
        MessageBody=json.dumps({"tenantId": tenant_id, "statusId": status_id}),
        DelaySeconds=max(0, min(900, delay_seconds)),
    )


# ---------------------------------------------------------------- the upload endpoints
def _header(raw_event: dict[str, Any], name: str) -> str:
    for header, value in (raw_event.get("headers") or {}).items():
        if header.lower() == name and value is not None:
            return str(value)
    return ""


def _body_bytes(raw_event: dict[str, Any]) -> bytes:
    body = raw_event.get("body") or ""
    if raw_event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _form(content_type: str, body: bytes) -> dict[str, bytes]:
    """The fields of a multipart/form-data body, by name."""
    import email.parser  # only the multipart upload needs it
    import email.policy

    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise BadRequest("body: not a multipart/form-data body (send the fields file and jobId)")
    fields: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str) and name not in fields:
            payload = part.get_payload(decode=True)
            fields[name] = payload if isinstance(payload, bytes) else b""
    return fields


def start(principal: Principal, raw_event: dict[str, Any]) -> dict[str, Any]:
    """POST /v1.0/admin/connector/job/bulkimport: ``data = {statusId}``."""
    content_type = _header(raw_event, "content-type")
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        return _start_direct(principal, content_type, _body_bytes(raw_event))
    if kind in ("application/json", ""):
        raw = _body_bytes(raw_event)
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            raise BadRequest("body: not valid JSON") from None
        return _start_uploaded(principal, body)
    raise UnsupportedMediaType(
        "Content-Type: send multipart/form-data (file and jobId) or application/json ({jobId, uploadId})"
    )


def _start_direct(principal: Principal, content_type: str, body: bytes) -> dict[str, Any]:
    if len(body) > MAX_DIRECT_BYTES + 64 * 1024:
        raise PayloadTooLarge("file: larger than 4 MB; upload it through POST .../bulkimport/upload-url")
    fields = _form(content_type, body)
    job = definitions.job_of(principal.tenant_id, fields.get("jobId", b"").decode("utf-8", "replace"))
    if "file" not in fields:
        raise BadRequest("file: required (the CSV file as a multipart field named file)")
    data = fields["file"]
    if len(data) > MAX_DIRECT_BYTES:
        raise PayloadTooLarge("file: larger than 4 MB; upload it through POST .../bulkimport/upload-url")
    check_file(job, csvfile.split_bytes(data))
    status = _new_status(principal, job, "API")
    repository.put_import(principal.tenant_id, status)
    storage.put(status["objectKey"], data)  # its S3 event starts the worker
    return {"statusId": status["statusId"]}


def _start_uploaded(principal: Principal, body: Any) -> dict[str, Any]:
    request = request_model.checked(StartFromUpload, body)
    job = definitions.job_of(principal.tenant_id, request.jobId)
    upload_id = request.uploadId.strip()
    if not ids.is_gsid(upload_id, ids.BULK_UPLOAD):
        raise NotFound(f"uploadId: no upload {upload_id} in this tenant")
    key = storage.upload_key(principal.tenant_id, upload_id)
    found = storage.head(key)
    if found is None:
        raise BadRequest(f"uploadId: nothing was uploaded for {upload_id} yet (PUT the file to its uploadUrl first)")
    size = found[0]
    if size > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"file: {size} bytes; the largest file an import takes is {MAX_FILE_BYTES} bytes")
    try:
        first = next(csvfile.rows(storage.chunks(key, 0, min(size, HEADER_PROBE_BYTES))), None)
    except csvfile.NotCsv as exc:
        raise BadRequest(f"file: not a CSV file this API reads ({exc})") from None
    if first is None:
        raise BadRequest("file: the file is empty: it needs a header row and at least one row")
    try:
        problem = _header_problem(job, csvfile.header_of(first.cells))
    except csvfile.NotCsv as exc:
        problem = str(exc)
    if problem:
        raise BadRequest(f"file: {problem}")
    status = _new_status(principal, job, "UPLOAD", key)
    if not repository.use_upload(principal.tenant_id, upload_id, status["statusId"]):
        raise Conflict(f"uploadId: upload {upload_id} was already started (or is unknown); ask for a new upload URL")
    repository.put_import(principal.tenant_id, status)
    enqueue(principal.tenant_id, status["statusId"])
    return {"statusId": status["statusId"]}


def upload_url(principal: Principal) -> dict[str, Any]:
    """POST .../bulkimport/upload-url: ``{uploadId, uploadUrl, method, expiresIn, maxBytes}``."""
    upload_id = ids.new_gsid(ids.BULK_UPLOAD)
    now = clock.now()
    repository.put_upload(
        principal.tenant_id,
        {"uploadId": upload_id, "createdDate": clock.iso(now), "createdBy": principal.user_gsid},
    )
    return {
        "uploadId": upload_id,
        "uploadUrl": storage.upload_url(storage.upload_key(principal.tenant_id, upload_id)),
        "method": "PUT",
        "expiresIn": storage.URL_SECONDS,
        "maxBytes": MAX_FILE_BYTES,
    }


# ---------------------------------------------------------------- status and errors
def _status(principal: Principal, status_id: str) -> dict[str, Any]:
    status = repository.get_import(principal.tenant_id, status_id) if ids.is_gsid(status_id, ids.BULK_IMPORT) else None
    if status is None:
        raise NotFound(f"statusId: no import {status_id} in this tenant")
    return status


def status(principal: Principal, status_id: str) -> dict[str, Any]:
    """GET .../bulkimport/status/{statusId}."""
    return view(_status(principal, status_id))


def list_for_job(principal: Principal, job_id: str, page_number: int, page_size: int) -> dict[str, Any]:
    """GET .../bulkimport/status?jobId=&pageNumber=&pageSize=: a job's imports, newest
    first: ``data = {imports, pageNumber, pageSize, hasMore}`` (each the status view)."""
    job = definitions.job_of(principal.tenant_id, job_id)
    rows, more = repository.list_imports(principal.tenant_id, job["jobId"], (page_number - 1) * page_size, page_size)
    return {"imports": [view(r) for r in rows], "pageNumber": page_number, "pageSize": page_size, "hasMore": more}


def errors(principal: Principal, status_id: str) -> tuple[str | None, dict[str, Any] | None]:
    """GET .../status/{statusId}/errors: the rejected rows as CSV (input columns and
    ``reason``), or ``{url, expiresIn, bytes}`` when the file is too large to answer."""
    imported = _status(principal, status_id)
    if imported["status"] not in FINAL:
        raise Conflict("The import is still running: its errors file is ready when it ends")
    key = storage.errors_key(principal.tenant_id, status_id)
    found = storage.head(key)
    if found is None:  # a file refused before any row was read
        return csv_export.csv_bytes([[*(imported.get("header") or []), "reason"]]).decode("utf-8"), None
    size = found[0]
    if size <= INLINE_ERRORS_BYTES:
        return storage.read_all(key).decode("utf-8"), None
    url = storage.download_url(key, f"import-{status_id}-errors.csv")
    return None, {"url": url, "expiresIn": storage.URL_SECONDS, "bytes": size}
