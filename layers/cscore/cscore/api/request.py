"""Small readers of the raw API Gateway event, shared by middleware and handlers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from cscore.errors import BadRequest


def header(event: dict[str, Any], name: str) -> str:
    """A header's value ignoring the case of its name ('' when absent)."""
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted:
            return str(value or "")
    return ""


def fields(event: dict[str, Any]) -> dict[str, Any]:
    """The body's top-level fields, from a url-encoded form or a JSON object ({} otherwise)."""
    body = event.get("body") or ""
    content_type = header(event, "content-type").lower()
    if "application/x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(body, keep_blank_values=True))
    if body and (not content_type or "json" in content_type):
        try:
            parsed = json.loads(body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def json_body(event: dict[str, Any]) -> Any:
    """The parsed JSON body (None when empty). Malformed JSON never gets here: the
    contract middleware answers it with 400 first."""
    body = event.get("body")
    return json.loads(body) if body else None


def flag(event: dict[str, Any], name: str) -> str | None:
    """A query string parameter as sent (validation is the service's)."""
    return (event.get("queryStringParameters") or {}).get(name) or None


def header_or_none(event: dict[str, Any], name: str) -> str | None:
    return header(event, name) or None


def bulk_body(event: dict[str, Any], allowed: tuple[str, ...] = ("records",)) -> dict[str, Any]:
    """A ``{"records": [...], ...}`` body: a JSON object with no field but ``allowed``.

    Checked by hand rather than by a pydantic model so that handlers do not import
    pydantic at cold start."""
    body = json_body(event)
    if not isinstance(body, dict):
        raise BadRequest("body: must be a JSON object with records")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(f"{unknown[0]}: unknown field of the request body (allowed: {', '.join(allowed)})")
    return body


def public_url(event: dict[str, Any], path: str) -> str:
    """This API's own public URL for ``path``, as API Gateway received the request."""
    context = event.get("requestContext") or {}
    domain = context.get("domainName") or header(event, "host")
    stage = context.get("stage") or ""
    prefix = f"/{stage}" if stage and domain.endswith(".amazonaws.com") else ""
    return f"https://{domain}{prefix}{path}"
