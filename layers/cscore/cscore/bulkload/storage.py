"""The Bulk API's S3 bucket (encrypted, objects expire by a lifecycle rule; template.yaml):

* ``imports/<tenant>/<statusId>.csv`` — a file sent through the API (multipart); its
  creation starts the worker (S3 event)
* ``uploads/<tenant>/<uploadId>.csv`` — a file PUT to a pre-signed URL; started by
  ``POST .../bulkimport {jobId, uploadId}`` (queue message)
* ``errors/<tenant>/<statusId>/part-<n>.csv`` — rejected rows, one part per checkpoint;
  ``errors/<tenant>/<statusId>.csv`` — the parts joined under a header when the import ends

The tenant is part of every key: one tenant's request can never name another's object.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from cscore.platform import aws, config, csv_export

READ_CHUNK = 256 * 1024
PART_SIZE = 8 * 1024 * 1024  # multipart upload parts (S3's minimum is 5 MB)
URL_SECONDS = 900


def import_key(tenant_id: str, status_id: str) -> str:
    return f"imports/{tenant_id}/{status_id}.csv"


def upload_key(tenant_id: str, upload_id: str) -> str:
    return f"uploads/{tenant_id}/{upload_id}.csv"


def errors_key(tenant_id: str, status_id: str) -> str:
    return f"errors/{tenant_id}/{status_id}.csv"


def _part_key(tenant_id: str, status_id: str, sequence: int) -> str:
    return f"errors/{tenant_id}/{status_id}/part-{sequence:06d}.csv"


def put(key: str, data: bytes, content_type: str = "text/csv; charset=utf-8") -> None:
    aws.s3().put_object(Bucket=config.bulk_bucket_name(), Key=key, Body=data, ContentType=content_type)


def head(key: str) -> tuple[int, str] | None:
    """The object's size in bytes and ETag, None when there is no such object."""
    try:
        out = aws.s3().head_object(Bucket=config.bulk_bucket_name(), Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return int(out["ContentLength"]), str(out["ETag"])


class FileChanged(Exception):
    """The object is not the one the import started with (a second PUT to its URL)."""


def chunks(key: str, start: int = 0, end: int | None = None, etag: str | None = None) -> Iterator[bytes]:
    """The object's bytes from ``start`` (to ``end``, exclusive), streamed: one ranged
    GET, read ``READ_CHUNK`` bytes at a time; with ``etag``, only from that version of
    the object (FileChanged otherwise)."""
    if end is not None and start >= end:
        return
    arguments: dict[str, Any] = {
        "Bucket": config.bulk_bucket_name(),
        "Key": key,
        "Range": f"bytes={start}-" if end is None else f"bytes={start}-{end - 1}",
    }
    if etag:
        arguments["IfMatch"] = etag
    try:
        body = aws.s3().get_object(**arguments)["Body"]
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code == "InvalidRange":  # start is the end of the file
            return
        if code in ("PreconditionFailed", "412"):
            raise FileChanged(key) from None
        raise
    try:
        yield from body.iter_chunks(READ_CHUNK)
    finally:
        body.close()


def upload_url(key: str) -> str:
    """A pre-signed PUT URL for the key, valid ``URL_SECONDS``."""
    return str(
        aws.s3().generate_presigned_url(
            "put_object", Params={"Bucket": config.bulk_bucket_name(), "Key": key}, ExpiresIn=URL_SECONDS
        )
    )


@cache
def url_origin() -> str:
    """The scheme and host of every pre-signed URL of the bucket (a page that sends files
    to them must allow this origin); signing is local, nothing is called."""
    parts = urlsplit(upload_url("uploads/origin"))
    return f"{parts.scheme}://{parts.netloc}"


def download_url(key: str, filename: str) -> str:
    return str(
        aws.s3().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": config.bulk_bucket_name(),
                "Key": key,
                "ResponseContentType": "text/csv; charset=utf-8",
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
            ExpiresIn=URL_SECONDS,
        )
    )


def put_error_part(tenant_id: str, status_id: str, sequence: int, rows: list[list[str]]) -> None:
    """One checkpoint's rejected rows (no header), written before the checkpoint that
    counts them, so a part is never missing for counted rows (a part written again after
    a crash is overwritten whole)."""
    put(_part_key(tenant_id, status_id, sequence), csv_export.csv_bytes(rows))


def join_error_parts(tenant_id: str, status_id: str, parts: int, header: list[str]) -> int:
    """Write the errors file: the header, then parts 0..parts-1 in order, streamed
    through a multipart upload when large. Returns its size in bytes."""
    s3 = aws.s3()
    bucket = config.bulk_bucket_name()
    target = errors_key(tenant_id, status_id)
    head = csv_export.csv_bytes([header])
    buffer = bytearray(head)
    total = len(head)
    upload_id: str | None = None
    uploaded: list[dict[str, Any]] = []

    def send(data: bytes) -> None:
        nonlocal upload_id
        if upload_id is None:
            upload_id = s3.create_multipart_upload(Bucket=bucket, Key=target, ContentType="text/csv; charset=utf-8")[
                "UploadId"
            ]
        number = len(uploaded) + 1
        out = s3.upload_part(Bucket=bucket, Key=target, UploadId=upload_id, PartNumber=number, Body=data)
        uploaded.append({"PartNumber": number, "ETag": out["ETag"]})

    for sequence in range(parts):
        for chunk in chunks(_part_key(tenant_id, status_id, sequence)):
            buffer += chunk
            total += len(chunk)
            if len(buffer) >= PART_SIZE:
                send(bytes(buffer))
                buffer.clear()
    if upload_id is None:
        put(target, bytes(buffer))
    else:
        if buffer:
            send(bytes(buffer))
        s3.complete_multipart_upload(Bucket=bucket, Key=target, UploadId=upload_id, MultipartUpload={"Parts": uploaded})
    # The parts stay (the lifecycle rule removes them): a retry after a crash here joins them again.
    return total


def read_all(key: str) -> bytes:
    return b"".join(chunks(key))
