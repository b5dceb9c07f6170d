"""When the invocation ends. Work done in steps (a transaction, a publish) starts a step
only while the invocation can still finish it and answer; what is not started is
reported, so a timeout never ends a request halfway without a word."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Kept for what follows the last step: publishing, storing the idempotency answer,
# answering. A tenth of a step's usual cost would do; a throttled call retried by the
# SDK takes seconds, so the reserve is sized for that.
RESERVE_MS = 2_000


class Deadline:
    """The invocation's remaining time (Lambda's context), and whether a step still fits."""

    def __init__(self, remaining_ms: Callable[[], int] | None = None, reserve_ms: int = RESERVE_MS) -> None:
        self._remaining_ms = remaining_ms
        self._reserve_ms = reserve_ms
        self._slowest_ms = 0.0

    @classmethod
    def of(cls, context: Any) -> Deadline:
        """The deadline of a Lambda context; none (never ends) without one."""
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        return cls(remaining if callable(remaining) else None)

    def allows_step(self) -> bool:
        """Whether a step as slow as the slowest so far can start and still leave the reserve."""
        if self._remaining_ms is None:
            return True
        return self._remaining_ms() > self._reserve_ms + self._slowest_ms

    @contextmanager
    def step(self) -> Iterator[None]:
        """Times one step (``with deadline.step(): ...``), so the next check allows for it."""
        started = time.monotonic()
        try:
            yield
        finally:
            self._slowest_ms = max(self._slowest_ms, (time.monotonic() - started) * 1000)


NO_DEADLINE = Deadline()
