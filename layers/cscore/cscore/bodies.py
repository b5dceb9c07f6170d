"""The first check of every JSON request body a service takes: an object whose fields
are all known (400 GS_1400 naming the first unknown one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cscore.errors import BadRequest


def json_object(body: Any, allowed: Sequence[str], expected: str) -> dict[str, Any]:
    """``body`` when it is a JSON object with no field outside ``allowed``; ``expected``
    tells the caller what the object should hold (e.g. "with name and orgType")."""
    if not isinstance(body, dict):
        raise BadRequest(f"body: must be a JSON object {expected}")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise BadRequest(f"{unknown[0]}: unknown field (allowed: {', '.join(allowed)})")
    return body
