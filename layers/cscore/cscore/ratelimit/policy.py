"""The rules of SPEC §1.3 as pure functions: families, UTC-aligned windows, limits,
per-tenant overrides, and what the response headers say. No I/O here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

WINDOW_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}

# family -> {window: default limit}; every family has a short window and the day.
DEFAULT_LIMITS: dict[str, dict[str, int]] = {
    "users": {"hour": 100, "day": 1000},
    "standard": {"minute": 100, "day": 50000},
    "bulk": {"hour": 10, "day": 100},
}
FAMILIES = tuple(DEFAULT_LIMITS)
# All windows of a family share one counter item, keyed by its longest window.
ITEM_WINDOW = "day"


@dataclass(frozen=True)
class WindowState:
    """One window of a family at one moment: its bounds, limit and count so far."""

    window: str
    start: int
    end: int
    limit: int
    count: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def attribute(self) -> str:
        """The counter's attribute name in the family's item (unique per window)."""
        return f"{self.window}_{self.start}"


def window_bounds(window: str, at: float) -> tuple[int, int]:
    """[start, end) of the UTC-aligned fixed window containing ``at`` (epoch seconds).

    Epoch seconds are UTC and every window length divides a day, so flooring to a
    multiple of the length aligns minutes to :00, hours to hh:00:00, days to 00:00 UTC.
    """
    length = WINDOW_SECONDS[window]
    start = int(at // length) * length
    return start, start + length


def limits_for(family: str, overrides: dict[str, Any] | None) -> dict[str, int]:
    """The family's limits with the tenant's overrides (``{family: {window: n}}``) applied."""
    limits = dict(DEFAULT_LIMITS[family])
    for window, value in ((overrides or {}).get(family) or {}).items():
        if window in limits:
            limits[window] = int(value)
    return limits


def validate_override(family: str, window: str, limit: int) -> None:
    """Raise ValueError when an override names no window of the family or is negative."""
    if family not in DEFAULT_LIMITS:
        raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")
    if window not in DEFAULT_LIMITS[family]:
        choices = ", ".join(DEFAULT_LIMITS[family])
        raise ValueError(f"family {family!r} has no {window!r} window; choose one of {choices}")
    if limit < 0:
        raise ValueError("limit must be zero or more")


def windows_at(family: str, overrides: dict[str, Any] | None, at: float, counts: dict[str, int]) -> list[WindowState]:
    """Every window of the family at time ``at``; ``counts`` maps counter attributes to values."""
    states = []
    for window, limit in limits_for(family, overrides).items():
        start, end = window_bounds(window, at)
        state = WindowState(window, start, end, limit, 0)
        states.append(WindowState(window, start, end, limit, int(counts.get(state.attribute, 0))))
    return states


def tightest(states: list[WindowState]) -> WindowState:
    """The window the headers describe: fewest remaining, then the one that ends last."""
    return min(states, key=lambda s: (s.remaining, -s.end))


def exhausted(states: list[WindowState]) -> WindowState | None:
    """The window that blocks a request: the full one that ends last (so Retry-After is honest)."""
    full = [s for s in states if s.count >= s.limit]
    return max(full, key=lambda s: s.end) if full else None


def headers(state: WindowState, at: float, *, rejected: bool) -> dict[str, str]:
    out = {
        "X-RateLimit-Limit": str(state.limit),
        "X-RateLimit-Remaining": str(0 if rejected else state.remaining),
        "X-RateLimit-Reset": str(state.end),
    }
    if rejected:
        out["Retry-After"] = str(max(1, math.ceil(state.end - at)))
    return out
