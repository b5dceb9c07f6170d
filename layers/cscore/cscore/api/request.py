"""Small readers of the raw API Gateway event, shared by middleware and handlers."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from cscore.errors import BadRequest, UnsupportedMediaType
from cscore.platform import text

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
# A JSON string (skipped whole) or one bracket: how deep a body nests is counted on its
# text, so that a body nested a thousand levels never reaches json.loads' recursion.
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def header(event: dict[str, Any], name: str) -> str:
    """A header's value ignoring the case of its name ('' when absent)."""
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted:
            return str(value or "")
    return ""


def media_type(event: dict[str, Any]) -> str:
    """The Content-Type without its parameters, lower-cased ('' when absent)."""
    return header(event, "content-type").split(";", 1)[0].strip().lower()


def is_json(media: str) -> bool:
    """application/json, any ``+json`` type, or none given (JSON is the default)."""
    return media in ("", JSON) or (media.startswith("application/") and media.endswith("+json"))


def nested_deeper_than(body: str, limit: int) -> bool:
    """True when the JSON text opens more than ``limit`` arrays or objects inside each
    other; brackets inside strings do not count. No parsing, no recursion."""
    level = 0
    for token in _STRING_OR_BRACKET.finditer(body):
        char = token.group()
        if char in "[{":
            level += 1
            if level > limit:
                return True
        elif char in "]}":
            level -= 1
    return False


def checked(event: dict[str, Any], media_types: tuple[str, ...]) -> None:
    """The door every API request passes before its route (SPEC §1.2, issue 13): query
    string and path values are storable text; a body is of a type the endpoint takes
    (415 otherwise) and, when JSON, is UTF-8, nests at most ``text.MAX_DEPTH`` levels,
    parses, and holds only storable strings (400 naming the field otherwise). A JSON body
    that arrived base64-encoded is handed on as text."""
    parameters = (
        ("query", event.get("multiValueQueryStringParameters") or event.get("queryStringParameters")),
        ("path", event.get("pathParameters")),
    )
    for where, values in parameters:
        bad = text.first_unstorable(values or {}, where)
        if bad:
            raise BadRequest(f"{bad}: not valid text (a lone surrogate or NUL character)")
    body = event.get("body")
    if not body:
        return
    media = media_type(event)
    if not is_json(media):
        if media in media_types:
            return
        accepted = ", ".join(sorted({JSON, *media_types}))
        raise UnsupportedMediaType(f"Content-Type: {media} is not accepted here (send {accepted})")
    if event.get("isBase64Encoded"):
        event["body"], event["isBase64Encoded"] = _utf8(body), False
        body = event["body"]
    _mark_json(event)
    if nested_deeper_than(body, text.MAX_DEPTH):
        raise BadRequest(f"body: nested deeper than {text.MAX_DEPTH} levels of arrays and objects")
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"body: malformed JSON ({exc.args[0] if exc.args else 'invalid'})") from exc
    bad = text.first_unstorable(parsed, "body")
    if bad:
        raise BadRequest(f"{bad}: not valid text (a lone surrogate or NUL character)")


def _mark_json(event: dict[str, Any]) -> None:
    """A JSON body sent as ``+json`` or with no type is read as application/json by the
    route's typed parameters (Powertools reads only that type as JSON)."""
    event["headers"] = {k: v for k, v in (event.get("headers") or {}).items() if k.lower() != "content-type"}
    event["headers"]["Content-Type"] = JSON
    if event.get("multiValueHeaders"):
        multi = {k: v for k, v in event["multiValueHeaders"].items() if k.lower() != "content-type"}
        event["multiValueHeaders"] = multi | {"Content-Type": [JSON]}


def _utf8(encoded: str) -> str:
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("body: not valid base64") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"body: not valid UTF-8 (byte {exc.start})") from exc


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


def header_or_none(event: dict[str, Any], name: str) -> str | None:
    return header(event, name) or None


def public_url(event: dict[str, Any], path: str) -> str:
    """This API's own public URL for ``path``, as API Gateway received the request."""
    context = event.get("requestContext") or {}
    domain = context.get("domainName") or header(event, "host")
    stage = context.get("stage") or ""
    prefix = f"/{stage}" if stage and domain.endswith(".amazonaws.com") else ""
    return f"https://{domain}{prefix}{path}"
