"""A request to the embedded AWS as IAM reads it: its service, operation and parameters."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from cslocal.template import ACCOUNT


class UnmappedRequest(Exception):
    """The request's IAM action is not known here (so the request is refused)."""


@dataclass(frozen=True)
class Request:
    service: str  # the signing name of the credential scope: dynamodb, s3, sqs, ...
    region: str
    method: str
    path: str  # decoded
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    @classmethod
    def from_wsgi(cls, environ: Mapping[str, Any], body: bytes, service: str, region: str) -> Request:
        headers = {k[5:].lower().replace("_", "-"): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        return cls(
            service=service,
            region=region,
            method=str(environ.get("REQUEST_METHOD", "GET")),
            path=str(environ.get("PATH_INFO", "/")),
            query=dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)),
            headers=headers,
            body=body,
        )

    @property
    def target(self) -> str:
        """The operation of a JSON-protocol request (``X-Amz-Target: Service.Operation``)."""
        return self.headers.get("x-amz-target", "").rsplit(".", 1)[-1]

    @property
    def protocol(self) -> str:
        """``json`` (X-Amz-Target), ``query`` (form parameters with an Action) or ``rest``."""
        if "x-amz-target" in self.headers:
            return "json"
        form = self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        return "query" if form or "Action" in self.query else "rest"

    def json(self) -> dict[str, Any]:
        try:
            value = json.loads(self.body or b"{}")
        except ValueError as exc:
            raise UnmappedRequest(f"{self.service}: the body is not JSON") from exc
        return value if isinstance(value, dict) else {}

    def form(self) -> dict[str, str]:
        """The parameters of a query-protocol request (form body, or the URL's query)."""
        if self.method == "POST" and self.body:
            return dict(parse_qsl(self.body.decode(errors="replace"), keep_blank_values=True))
        return dict(self.query)

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{ACCOUNT}:{resource}"
