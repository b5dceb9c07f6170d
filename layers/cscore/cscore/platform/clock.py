"""The one source of "now", so tests can move time (rate-limit windows, token expiry)."""

from __future__ import annotations

import time
from collections.abc import Callable

_now: Callable[[], float] = time.time


def now() -> float:
    """Current time as epoch seconds (float)."""
    return _now()


def set_clock(fn: Callable[[], float] | None) -> None:
    """Replace the clock (tests); ``None`` restores the wall clock."""
    global _now
    _now = fn or time.time
