"""The language of an answer, from the request's ``Accept-Language`` header (RFC 9110
§12.5.4: language ranges with q weights, matched as RFC 4647 ranges).

Pure: a header value in, one of ``SUPPORTED`` out. English is the default, for a
request without the header, with only unsupported languages, or with a broken value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

DEFAULT = "en"
SUPPORTED = ("en", "ja")
HEADER = "accept-language"

_RANGE = re.compile(r"^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$")
_QVALUE = re.compile(r"^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$")


def parse(value: str | None) -> list[tuple[str, float]]:
    """The header's language ranges (lower case) with their weights, in header order;
    elements that break the grammar are left out (a client's typo costs that element, not
    the answer)."""
    ranges: list[tuple[str, float]] = []
    for element in (value or "").split(","):
        name, *parameters = (part.strip() for part in element.split(";"))
        name = name.lower()
        if not _RANGE.match(name):
            continue
        weight = 1.0
        for parameter in parameters:
            key, _, given = parameter.partition("=")
            if key.strip().lower() != "q":
                continue
            given = given.strip()
            weight = float(given) if _QVALUE.match(given) else -1.0
        if weight >= 0:
            ranges.append((name, weight))
    return ranges


def preferred(value: str | None) -> str:
    """The supported language the header weighs highest (ties: the one named first;
    ``*`` alone keeps the default). A range names a language when it is that language or
    one of its regional forms (``ja``, ``ja-JP``); a language named explicitly is weighed
    by its own ranges, else by ``*``; weight 0 means "not this one"."""
    ranges = parse(value)
    best, best_weight, best_position = DEFAULT, 0.0, len(ranges)
    for language in SUPPORTED:
        named = [(q, i) for i, (name, q) in enumerate(ranges) if name == language or name.startswith(language + "-")]
        wildcard = [(q, len(ranges)) for name, q in ranges if name == "*"]
        candidates = named or wildcard
        if not candidates:
            continue
        weight = max(q for q, _ in candidates)
        position = min(i for q, i in candidates if q == weight)
        if weight > best_weight or (weight == best_weight and weight > 0 and position < best_position):
            best, best_weight, best_position = language, weight, position
    return best if best_weight > 0 else DEFAULT


def of_event(event: Mapping[str, Any]) -> str:
    """The preferred language of an API Gateway proxy event (header names in any case;
    a header sent more than once counts as one list, as RFC 9110 §5.3 reads it)."""
    for name, values in (event.get("multiValueHeaders") or {}).items():
        if name.lower() == HEADER and values:
            return preferred(",".join(str(v) for v in values))
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == HEADER and isinstance(value, str):
            return preferred(value)
    return DEFAULT
