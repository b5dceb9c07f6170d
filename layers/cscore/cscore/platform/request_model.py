"""The base of every typed API request (body or query parameters), and the one way its
problems are told: a 400 naming each field (``describe``).

Strict, closed models: a field of the wrong JSON type, or a field the endpoint does not
know, is a 400 naming the field, never a coercion and never a 500. The same models
describe the requests in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from cscore.errors import BadRequest

Model = TypeVar("Model", bound=BaseModel)
MAX_LISTED = 10


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def describe(errors: Iterable[Mapping[str, Any]]) -> str:
    """Pydantic errors as ``records[0].Email: Field required; ...`` (no internals). The
    field path starts inside the body or the query string, as the services' messages do."""
    parts = []
    for error in list(errors)[:MAX_LISTED]:
        if error.get("type") == "json_invalid":
            parts.append("body: malformed JSON")
            continue
        loc = list(error.get("loc", ()))
        if len(loc) > 1 and loc[0] in ("body", "query"):
            loc = loc[1:]
        path = ""
        for part in loc:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        message = "unknown field" if error.get("type") == "extra_forbidden" else error.get("msg", "invalid value")
        parts.append(f"{path or 'body'}: {message}")
    return "; ".join(parts) or "invalid request"


def checked(model: type[Model], raw: Any) -> Model:
    """``raw`` (a parsed JSON body that did not come through a route's signature, e.g. one
    branch of a multipart-or-JSON endpoint) as ``model``, or the 400 naming its fields."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise BadRequest(describe(exc.errors())) from None
