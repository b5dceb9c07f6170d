"""Response helpers shared by the endpoints (JSON the way Salesforce sends it)."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Request, Response

from sforg.errors import SfError

JSON_TYPE = "application/json;charset=UTF-8"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text.encode(), status=status, headers=headers or {}, content_type=JSON_TYPE)


def error_response(err: SfError) -> Response:
    return json_response(err.body(), err.status)


def bearer(request: Request) -> str | None:
    """The token of 'Authorization: Bearer x' (Salesforce also accepts the older 'OAuth x')."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return None
