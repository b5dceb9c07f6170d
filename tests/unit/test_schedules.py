"""cslocal.schedules.next_fire: EventBridge Scheduler's rate, cron and at expressions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cslocal.schedules import next_fire


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---------------------------------------------------------------- rate


@pytest.mark.parametrize(
    ("expression", "step"),
    [
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(1 hour)", timedelta(hours=1)),
        ("rate(2 hours)", timedelta(hours=2)),
        ("rate(1 day)", timedelta(days=1)),
        ("rate(3 days)", timedelta(days=3)),
    ],
)
def test_rate_without_start_is_one_step_after(expression: str, step: timedelta) -> None:
    after = utc(2024, 3, 1, 10, 7, 30)
    assert next_fire(expression, after) == after + step


def test_rate_minutes_counts_from_start() -> None:
    start = utc(2024, 1, 1, 0, 0)
    assert next_fire("rate(5 minutes)", utc(2024, 1, 1, 0, 12), start=start) == utc(2024, 1, 1, 0, 15)
    # Strictly after: a firing time itself gives the next one.
    assert next_fire("rate(5 minutes)", utc(2024, 1, 1, 0, 15), start=start) == utc(2024, 1, 1, 0, 20)


def test_rate_hours_counts_from_start() -> None:
    start = utc(2024, 1, 1, 0, 30)
    assert next_fire("rate(2 hours)", utc(2024, 1, 1, 5, 0), start=start) == utc(2024, 1, 1, 6, 30)


def test_rate_days_counts_from_start() -> None:
    start = utc(2024, 1, 1, 6, 0)
    assert next_fire("rate(1 day)", utc(2024, 1, 10, 5, 59), start=start) == utc(2024, 1, 10, 6, 0)
    assert next_fire("rate(1 day)", utc(2024, 1, 10, 6, 0), start=start) == utc(2024, 1, 11, 6, 0)


# ---------------------------------------------------------------- cron


def test_cron_daily_with_question_mark() -> None:
    assert next_fire("cron(0 12 * * ? *)", utc(2024, 1, 1, 11, 59)) == utc(2024, 1, 1, 12, 0)
    assert next_fire("cron(0 12 * * ? *)", utc(2024, 1, 1, 12, 0)) == utc(2024, 1, 2, 12, 0)


def test_cron_day_of_month_with_question_mark_in_weekday() -> None:
    assert next_fire("cron(30 2 1 * ? *)", utc(2024, 1, 15)) == utc(2024, 2, 1, 2, 30)


def test_cron_weekday_names() -> None:
    friday_after = utc(2024, 1, 5, 11, 0)  # 2024-01-05 is a Friday
    assert next_fire("cron(15 10 ? * MON-FRI *)", friday_after) == utc(2024, 1, 8, 10, 15)
    assert next_fire("cron(0 9 ? * SAT,SUN *)", friday_after) == utc(2024, 1, 6, 9, 0)


@pytest.mark.parametrize(
    ("dow", "expected"),
    [
        ("1", utc(2024, 1, 7, 8, 0)),  # AWS 1 = Sunday
        ("2", utc(2024, 1, 8, 8, 0)),  # Monday
        ("6", utc(2024, 1, 5, 8, 0)),  # Friday
        ("7", utc(2024, 1, 6, 8, 0)),  # Saturday
        ("2-6", utc(2024, 1, 5, 8, 0)),  # Monday to Friday
        ("1,7", utc(2024, 1, 6, 8, 0)),  # the weekend
    ],
)
def test_cron_weekday_numbers_count_from_sunday(dow: str, expected: datetime) -> None:
    thursday_after = utc(2024, 1, 4, 9, 0)  # 2024-01-04 is a Thursday
    assert next_fire(f"cron(0 8 ? * {dow} *)", thursday_after) == expected


def test_cron_weekday_number_and_name_agree() -> None:
    after = utc(2024, 5, 1)
    for number, name in [("1", "SUN"), ("2", "MON"), ("4", "WED"), ("7", "SAT")]:
        assert next_fire(f"cron(0 0 ? * {number} *)", after) == next_fire(f"cron(0 0 ? * {name} *)", after)


def test_cron_in_a_time_zone_follows_its_offset_and_dst() -> None:
    # 09:00 in New York: 14:00 UTC in winter (EST), 13:00 UTC in summer (EDT).
    assert next_fire("cron(0 9 * * ? *)", utc(2024, 1, 10, 0, 0), "America/New_York") == utc(2024, 1, 10, 14, 0)
    assert next_fire("cron(0 9 * * ? *)", utc(2024, 7, 10, 0, 0), "America/New_York") == utc(2024, 7, 10, 13, 0)
    # Weekdays are the zone's: Monday 01:00 in Tokyo is Sunday 16:00 UTC.
    assert next_fire("cron(0 1 ? * MON *)", utc(2024, 1, 3), "Asia/Tokyo") == utc(2024, 1, 7, 16, 0)


def test_cron_result_is_utc() -> None:
    fired = next_fire("cron(0 9 * * ? *)", utc(2024, 1, 10), "Europe/Berlin")
    assert fired is not None
    assert fired.utcoffset() == timedelta(0)
    assert fired == utc(2024, 1, 10, 8, 0)


def test_cron_needs_six_fields() -> None:
    with pytest.raises(ValueError, match="6 fields"):
        next_fire("cron(0 12 * * ?)", utc(2024, 1, 1))


# ---------------------------------------------------------------- at


def test_at_in_the_past_never_fires() -> None:
    assert next_fire("at(2024-01-01T00:00:00)", utc(2024, 1, 1, 0, 0, 1)) is None
    assert next_fire("at(2024-01-01T00:00:00)", utc(2024, 1, 1, 0, 0, 0)) is None


def test_at_in_the_future_fires_then() -> None:
    assert next_fire("at(2030-06-01T12:30:00)", utc(2024, 1, 1)) == utc(2030, 6, 1, 12, 30)


def test_at_in_a_time_zone() -> None:
    assert next_fire("at(2030-06-01T12:30:00)", utc(2024, 1, 1), "Europe/Paris") == utc(2030, 6, 1, 10, 30)


def test_unknown_expressions_are_rejected() -> None:
    for expression in ("rate(5 weeks)", "every(5 minutes)", "at(2030-06-01 12:30)", ""):
        with pytest.raises(ValueError, match="unsupported"):
            next_fire(expression, utc(2024, 1, 1))
