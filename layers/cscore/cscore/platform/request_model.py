"""The base of every typed API request (body or query parameters), and the one way its
problems are told: a 400 naming each field (``describe``).

Strict, closed models: a field of the wrong JSON type, or a field the endpoint does not
know, is a 400 naming the field, never a coercion and never a 500. The same models
describe the requests in the OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from cscore.errors import BadRequest

Model = TypeVar("Model", bound=BaseModel)
MAX_LISTED = 10
# Pydantic's wrong-type messages, in JSON's words (its own name a model's class)
_TYPE_WORDS = {
    "model_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "list_type": "must be a JSON array",
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
}
_LETTER_CLASS = re.compile(r"\[([a-zA-Z])[a-zA-Z]\]")
_ANY_CASE = re.compile(r"\^\((?:\[[a-zA-Z][a-zA-Z]\]|[^\[\]()|]|\|)+\)\$")


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _integral(value: Any) -> Any:
    # JSON has one number type: 2.0 is the integer 2 (JSON Schema agrees); 2.5 stays refused
    if type(value) is float and value.is_integer():
        return int(value)
    return value


# The last mark of an ``int`` field (after its bounds, which then stay JSON Schema's
# minimum/maximum): a JSON number with no fraction (``70528.0``) is that integer
JSON_INTEGER = BeforeValidator(_integral)


def any_case(*words: str) -> str:
    """A pattern matching any of ``words`` in any letter case (JSON Schema patterns have no
    flags, so each letter is a class, the word's own letter first: ``asc`` -> ``[aA][sS][cC]``)."""
    spelled = ("".join(f"[{c}{c.swapcase()}]" if c.isalpha() else re.escape(c) for c in w) for w in words)
    return "^(" + "|".join(spelled) + ")$"


def describe(errors: Iterable[Mapping[str, Any]]) -> str:
    """Pydantic errors as ``records[0].Email: Field required; ...`` (no internals). The
    field path starts inside the body or the query string, as the services' messages do."""
    parts = []
    for error in list(errors)[:MAX_LISTED]:
        if error.get("type") == "json_invalid":
            parts.append("body: malformed JSON")
            continue
        loc = list(error.get("loc", ()))
        if loc and loc[0] in ("body", "query"):
            loc = loc[1:]
        path = ""
        for part in loc:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        kind = error.get("type")
        message = "unknown field" if kind == "extra_forbidden" else error.get("msg", "invalid value")
        if kind == "value_error":  # a model's own rule: its message names the field
            message = str((error.get("ctx") or {}).get("error", message))
            if not path:
                parts.append(message)
                continue
        elif kind in _TYPE_WORDS:
            message = _TYPE_WORDS[kind]
        elif kind == "string_pattern_mismatch":
            message = _pattern_message((error.get("ctx") or {}).get("pattern", ""), error.get("input"), message)
        parts.append(f"{path or 'body'}: {message}")
    return "; ".join(parts) or "invalid request"


def _pattern_message(pattern: str, given: Any, default: str) -> str:
    """An ``any_case`` pattern told as its words; any other pattern as pydantic tells it."""
    if _ANY_CASE.fullmatch(pattern):
        words = _LETTER_CLASS.sub(lambda m: m.group(1), pattern[2:-2]).split("|")
        return f"{str(given)[:60]!r} is not one of {', '.join(words)} (in any case)"
    return default


def checked(model: type[Model], raw: Any) -> Model:
    """``raw`` (a parsed JSON body that did not come through a route's signature, e.g. one
    branch of a multipart-or-JSON endpoint) as ``model``, or the 400 naming its fields."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise BadRequest(describe(exc.errors())) from None
