"""Fixed windows aligned to UTC, both windows in one conditional UpdateItem (SPEC §1.3)."""

from __future__ import annotations

import pytest

from cscore.errors import TooManyRequests
from cscore.ratelimit import policy
from cscore.ratelimit import service as ratelimit

T0 = 1_800_000_000  # 2027-01-15T08:00:00Z


@pytest.mark.parametrize(
    ("window", "at", "start", "end"),
    [
        ("minute", T0 + 59.999, T0, T0 + 60),
        ("minute", T0 + 60, T0 + 60, T0 + 120),
        ("hour", T0 + 3599, T0, T0 + 3600),
        ("day", T0 + 1, T0 - 8 * 3600, T0 + 16 * 3600),  # a day starts 00:00 UTC
    ],
)
def test_windows_are_aligned_to_utc(window: str, at: float, start: int, end: int) -> None:
    assert policy.window_bounds(window, at) == (start, end)


def test_overrides_replace_only_the_named_window() -> None:
    assert policy.limits_for("standard", {"standard": {"minute": 5}}) == {"minute": 5, "day": 50000}
    assert policy.limits_for("users", {"standard": {"minute": 5}}) == {"hour": 100, "day": 1000}


@pytest.mark.parametrize(("family", "window"), [("users", "minute"), ("nope", "day")])
def test_an_override_must_name_a_window_of_the_family(family: str, window: str) -> None:
    with pytest.raises(ValueError, match="choose one of"):
        policy.validate_override(family, window, 5)


def test_admits_exactly_the_limit_then_refuses_with_headers(aws_tables, fake_clock, dynamodb_calls) -> None:
    overrides = {"standard": {"minute": 5}}
    fake_clock.at = T0 + 15
    remaining = [ratelimit.admit("t1", "standard", overrides).headers["X-RateLimit-Remaining"] for _ in range(5)]
    assert remaining == ["4", "3", "2", "1", "0"]
    assert dynamodb_calls == ["UpdateItem"] * 5  # one conditional update per admitted request

    with pytest.raises(TooManyRequests) as refused:
        ratelimit.admit("t1", "standard", overrides)
    assert refused.value.code == "GU_2400" and refused.value.status == 429
    headers = refused.value.headers
    assert headers["Retry-After"] == "45"  # seconds to the end of the exhausted minute
    assert headers["X-RateLimit-Limit"] == "5"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Reset"] == str(T0 + 60)


def test_a_new_window_starts_from_zero(aws_tables, fake_clock) -> None:
    overrides = {"standard": {"minute": 2}}
    fake_clock.at = T0 + 59.5
    ratelimit.admit("t1", "standard", overrides)
    ratelimit.admit("t1", "standard", overrides)
    with pytest.raises(TooManyRequests):
        ratelimit.admit("t1", "standard", overrides)
    fake_clock.at = T0 + 60.0  # ss 00 of the next minute
    assert ratelimit.admit("t1", "standard", overrides).headers["X-RateLimit-Remaining"] == "1"


def test_the_day_window_blocks_across_minutes_and_says_so(aws_tables, fake_clock) -> None:
    overrides = {"standard": {"minute": 100, "day": 3}}
    for minute in range(3):
        fake_clock.at = T0 + minute * 60
        ratelimit.admit("t1", "standard", overrides)
    fake_clock.at = T0 + 10 * 60
    with pytest.raises(TooManyRequests) as refused:
        ratelimit.admit("t1", "standard", overrides)
    day_end = T0 + 16 * 3600
    assert refused.value.headers["X-RateLimit-Reset"] == str(day_end)
    assert refused.value.headers["Retry-After"] == str(day_end - (T0 + 600))


def test_refused_requests_are_not_counted(aws_tables, fake_clock) -> None:
    overrides = {"bulk": {"hour": 1}}
    fake_clock.at = T0
    ratelimit.admit("t1", "bulk", overrides)
    for _ in range(3):
        with pytest.raises(TooManyRequests):
            ratelimit.admit("t1", "bulk", overrides)
    usage = ratelimit.usage("t1", overrides)
    assert usage["bulk"]["hour"]["used"] == 1
    assert usage["bulk"]["day"]["used"] == 1


def test_counters_are_per_tenant_and_per_family(aws_tables, fake_clock) -> None:
    overrides = {"users": {"hour": 1}}
    fake_clock.at = T0
    ratelimit.admit("t1", "users", overrides)
    with pytest.raises(TooManyRequests):
        ratelimit.admit("t1", "users", overrides)
    ratelimit.admit("t2", "users", overrides)  # another tenant: its own counter
    ratelimit.admit("t1", "standard", overrides)  # another family: its own counter
    usage = ratelimit.usage("t1", overrides)
    assert usage["users"]["hour"] == {"limit": 1, "used": 1, "remaining": 0, "reset": T0 + 3600}
    assert usage["standard"]["minute"]["used"] == 1
    assert ratelimit.usage("t2", overrides)["users"]["hour"]["used"] == 1


def test_admitted_headers_describe_the_tightest_window(aws_tables, fake_clock) -> None:
    fake_clock.at = T0
    headers = ratelimit.admit("t1", "users", {"users": {"hour": 50, "day": 10}}).headers
    assert headers == {
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": "9",
        "X-RateLimit-Reset": str(T0 + 16 * 3600),
    }
