"""The one source of "now", so tests can move time (rate-limit windows, token expiry)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], float] = time.time


def now() -> float:
    """Current time as epoch seconds (float)."""
    return _now()


def iso(at: float | None = None) -> str:
    """An instant (default: now) as the API shows date-times: ISO-8601 UTC, milliseconds, ``Z``."""
    moment = datetime.fromtimestamp(now() if at is None else at, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def set_clock(fn: Callable[[], float] | None) -> None:
    """Replace the clock (tests); ``None`` restores the wall clock."""
    global _now
    _now = fn or time.time
