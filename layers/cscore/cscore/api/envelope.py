"""The response envelope of SPEC §1.2, for success and for every error."""

from __future__ import annotations

import json
from typing import Any

from cscore.api import languages, messages
from cscore.errors import ApiError

JSON = "application/json"


def success(data: Any, request_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "result": True,
        "errorCode": None,
        "errorDesc": None,
        "localizedErrorDesc": None,
        "requestId": request_id,
        "data": data,
        "message": None,
        "localizedMessage": None,
        **extra,
    }


def failure(error: ApiError, request_id: str, language: str = languages.DEFAULT) -> dict[str, Any]:
    """The error answer; ``errorDesc`` is always English, the ``localized`` fields are in
    ``language`` (``messages.localized``)."""
    localized_desc, localized_message = messages.localized(error.code, error.desc, language)
    return {
        "result": False,
        "errorCode": error.code,
        "errorDesc": error.desc,
        "localizedErrorDesc": localized_desc,
        "requestId": request_id,
        "data": error.data,
        "message": None,
        "localizedMessage": localized_message,
    }


def proxy_response(status: int, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """An API Gateway REST proxy result, for answers given before the resolver runs."""
    # CORS as on resolver answers, so a browser can read a 401 or a 429 too.
    merged = {"Content-Type": JSON, "Access-Control-Allow-Origin": "*", **headers}
    return {
        "statusCode": status,
        "headers": merged,
        "multiValueHeaders": {k: [v] for k, v in merged.items()},
        "body": json.dumps(body, separators=(",", ":")),
        "isBase64Encoded": False,
    }
