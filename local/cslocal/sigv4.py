"""Signature V4 as the embedded AWS reads it: who signed a request, and whether a
pre-signed (query-string) URL is genuine, unexpired and for exactly what it was signed.

Pre-signed URLs are checked in full because they leave the stack (a browser uploads with
one); requests signed in headers come only from processes the stack started, so only
their signer's key id is read from them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from calendar import timegm
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_EXPIRES = 7 * 24 * 3600  # S3 refuses longer-lived pre-signed URLs
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class Signer:
    """The key id and credential scope a request was signed with."""

    access_key_id: str
    service: str
    region: str


class PresignError(Exception):
    """A pre-signed URL S3 would refuse: ``code`` is S3's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def query_pairs(environ: dict[str, Any]) -> list[tuple[str, str]]:
    return parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)


def is_presigned(environ: dict[str, Any]) -> bool:
    return "X-Amz-Credential=" in str(environ.get("QUERY_STRING", ""))


def is_signature_v2(environ: dict[str, Any]) -> bool:
    """Signed the old way (``AWSAccessKeyId=`` in the URL, or ``AWS key:signature``),
    which S3 no longer accepts in newer regions; the embedded AWS checks only SigV4."""
    authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
    return authorization.startswith("AWS ") or "AWSAccessKeyId=" in str(environ.get("QUERY_STRING", ""))


def signer(environ: dict[str, Any]) -> Signer | None:
    """Who signed the request (header or query-string SigV4), or None if unsigned."""
    credential = str(environ.get("HTTP_AUTHORIZATION", ""))
    if not credential.startswith(ALGORITHM):
        query = dict(query_pairs(environ))
        if "X-Amz-Credential" not in query:
            return None
        credential = "Credential=" + query["X-Amz-Credential"]
    match = _CREDENTIAL.search(credential)
    if match is None:
        return None
    return Signer(access_key_id=match.group(1), region=match.group(3), service=match.group(4))


def _uri_encode(text: str, safe: str) -> str:
    return quote(text, safe=safe)


def _header(environ: dict[str, Any], name: str) -> str:
    key = name.upper().replace("-", "_")
    value = environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}", "")
    return " ".join(str(value).split())


def canonical_request(environ: dict[str, Any]) -> str:
    """The SigV4 canonical request of a query-signed request (S3 flavour: the path is
    encoded once, not normalised)."""
    raw_path = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/"))
    path = _uri_encode(unquote(raw_path.split("?", 1)[0]), safe="/~")
    pairs = [(k, v) for k, v in query_pairs(environ) if k != "X-Amz-Signature"]
    encoded = sorted((_uri_encode(k, "-_.~"), _uri_encode(v, "-_.~")) for k, v in pairs)
    query = "&".join(f"{k}={v}" for k, v in encoded)
    params = dict(pairs)
    signed = params.get("X-Amz-SignedHeaders", "host")
    headers = "".join(f"{name}:{_header(environ, name)}\n" for name in signed.split(";"))
    payload = params.get("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
    return "\n".join([str(environ.get("REQUEST_METHOD", "GET")), path, query, headers, signed, payload])


def signature(secret: str, amz_date: str, scope: str, canonical: str) -> str:
    date, region, service, _ = scope.split("/", 3)
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def verify_presigned(environ: dict[str, Any], secret: str, now: float | None = None) -> None:
    """Raise PresignError unless the URL is signed with ``secret``, for this very
    method, path, query and signed headers, and has not expired."""
    params = dict(query_pairs(environ))
    if params.get("X-Amz-Algorithm") != ALGORITHM:
        raise PresignError("AuthorizationQueryParametersError", "X-Amz-Algorithm only supports 'AWS4-HMAC-SHA256'")
    try:
        signed_at = timegm(time.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ"))
        expires = int(params["X-Amz-Expires"])
        scope = params["X-Amz-Credential"].split("/", 1)[1]
        given = params["X-Amz-Signature"]
    except (KeyError, ValueError, IndexError) as exc:
        raise PresignError("AuthorizationQueryParametersError", f"Query-string authentication: {exc}") from None
    if not 0 < expires <= MAX_EXPIRES:
        raise PresignError("AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and 604800 seconds")
    expected = signature(secret, params["X-Amz-Date"], scope, canonical_request(environ))
    if not hmac.compare_digest(expected, given):
        raise PresignError(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
        )
    if (time.time() if now is None else now) > signed_at + expires:
        raise PresignError("AccessDenied", "Request has expired")
