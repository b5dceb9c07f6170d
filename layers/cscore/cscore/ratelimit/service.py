"""Admit or refuse one request of a tenant in a rate-limit family."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cscore.errors import TooManyRequests
from cscore.platform import clock
from cscore.ratelimit import policy, repository


@dataclass(frozen=True)
class Decision:
    headers: dict[str, str]


def admit(tenant_id: str, family: str, overrides: dict[str, Any] | None) -> Decision:
    """Count the request; raise TooManyRequests (with its headers) when a window is full."""
    at = clock.now()
    windows = policy.windows_at(family, overrides, at, {})
    admitted, counts = repository.consume(tenant_id, family, at, windows)
    states = policy.windows_at(family, overrides, at, counts)
    if not admitted:
        blocking = policy.exhausted(states) or policy.tightest(states)
        raise TooManyRequests(headers=policy.headers(blocking, at, rejected=True))
    return Decision(headers=policy.headers(policy.tightest(states), at, rejected=False))


def usage(tenant_id: str, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Every family's windows now: limit, used, remaining and reset (epoch seconds)."""
    at = clock.now()
    counts = repository.read_usage(tenant_id, list(policy.FAMILIES), at)
    return {
        family: {
            s.window: {"limit": s.limit, "used": s.count, "remaining": s.remaining, "reset": s.end}
            for s in policy.windows_at(family, overrides, at, counts[family])
        }
        for family in policy.FAMILIES
    }
