"""Refusals as each AWS service answers them, so the SDK raises the same ClientError
(code ``AccessDenied`` / ``AccessDeniedException``) it would raise in AWS."""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from cslocal.aws_server import Refusal

_JSON_1_0 = "application/x-amz-json-1.0"
_JSON_1_1 = "application/x-amz-json-1.1"


def _json(status: str, content_type: str, body: dict[str, str], *extra: tuple[str, str]) -> Refusal:
    request_id = str(uuid.uuid4())
    headers = [("Content-Type", content_type), ("x-amzn-RequestId", request_id), *extra]
    return status, headers, json.dumps(body).encode()


def _xml(status: str, body: str) -> Refusal:
    return status, [("Content-Type", "text/xml"), ("x-amzn-RequestId", str(uuid.uuid4()))], body.encode()


def _query_error(code: str, message: str) -> Refusal:
    """The query protocol's error (SQS and SES over form posts)."""
    return _xml(
        "403 Forbidden",
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>",
    )


def s3_error(code: str, message: str, status: str = "403 Forbidden") -> Refusal:
    request_id = uuid.uuid4().hex[:16].upper()
    return _xml(
        status,
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
        f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>",
    )


def access_denied(service: str, protocol: str, message: str) -> Refusal:
    """AWS's answer to a call IAM does not allow, for ``service`` (its signing name) and
    the request's ``protocol``: ``json`` (X-Amz-Target), ``query`` (form) or ``rest``."""
    if service == "s3":
        return s3_error("AccessDenied", message)
    if protocol == "query":
        return _query_error("AccessDenied", message)
    if protocol == "json":
        if service in ("dynamodb", "sqs"):
            # SQS's JSON protocol also keeps the query protocol's code in a header botocore reads.
            body = {"__type": "com.amazon.coral.service#AccessDeniedException", "message": message}
            query_code = [("x-amzn-query-error", "AccessDenied;Sender")] if service == "sqs" else []
            return _json("400 Bad Request", _JSON_1_0, body, *query_code)
        return _json("400 Bad Request", _JSON_1_1, {"__type": "AccessDeniedException", "message": message})
    # REST-JSON services (Scheduler, SES v2): the code travels in a header.
    return _json(
        "403 Forbidden", "application/json", {"Message": message}, ("x-amzn-ErrorType", "AccessDeniedException")
    )
