"""parallel.each: batch calls at the same time, results in order, errors after all ended."""

from __future__ import annotations

import threading
import time

import pytest

from cscore.platform import parallel


def test_results_come_in_batch_order_with_calls_overlapping() -> None:
    running = {"now": 0, "max": 0}
    lock = threading.Lock()

    def call(batch: list[int]) -> int:
        with lock:
            running["now"] += 1
            running["max"] = max(running["max"], running["now"])
        time.sleep(0.02 * (5 - batch[0]))  # the first batches end last
        with lock:
            running["now"] -= 1
        return sum(batch)

    batches = [[i, i] for i in range(6)]
    assert parallel.each(call, batches) == [0, 2, 4, 6, 8, 10]
    assert running["max"] == parallel.CONCURRENT_CALLS


def test_the_first_error_is_raised_once_every_call_has_ended() -> None:
    ended: list[int] = []

    def call(batch: int) -> int:
        if batch == 1:
            raise ValueError("batch 1")
        time.sleep(0.05)
        ended.append(batch)
        return batch

    with pytest.raises(ValueError, match="batch 1"):
        parallel.each(call, [0, 1, 2, 3], "writes")
    assert sorted(ended) == [0, 2, 3]


def test_one_batch_is_called_in_the_callers_thread() -> None:
    assert parallel.each(lambda _: threading.current_thread().name, [[1]]) == [threading.current_thread().name]
    assert parallel.each(lambda b: b, []) == []
