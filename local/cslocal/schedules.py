"""EventBridge Scheduler expressions: ``rate(...)``, ``cron(...)`` (AWS's 6 fields) and
``at(...)``, evaluated in UTC or the schedule's time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}
_AWS_DOW = {str(i): name for i, name in enumerate(["", "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]) if name}


def _cron_five_fields(aws_cron: str) -> str:
    """AWS ``min hour dom month dow year`` -> croniter's five fields (year dropped;
    ``?`` -> ``*``; AWS numbers days 1-7 from Sunday, so numbers become names)."""
    fields = aws_cron.split()
    if len(fields) != 6:
        raise ValueError(f"cron needs 6 fields, got {aws_cron!r}")
    minute, hour, dom, month, dow, _year = fields
    dow = re.sub(r"\b([1-7])\b", lambda m: _AWS_DOW[m.group(1)], dow)
    dom, dow = ("*" if dom == "?" else dom), ("*" if dow == "?" else dow)
    dow = re.sub(r"#\d", "", dow)  # nth weekday is not supported locally: every such weekday
    return f"{minute} {hour} {dom} {month} {dow}"


def next_fire(
    expression: str, after: datetime, tz: str | None = None, start: datetime | None = None
) -> datetime | None:
    """The first firing strictly after ``after`` (UTC), or None when it never fires again."""
    expression = expression.strip()
    zone = ZoneInfo(tz) if tz else UTC
    if m := _RATE.match(expression):
        step = timedelta(seconds=int(m.group(1)) * _UNIT[m.group(2).rstrip("s")])
        origin = start or after
        if after < origin:
            return origin + step
        periods = int((after - origin) / step) + 1
        return origin + periods * step
    if m := _AT.match(expression):
        at = datetime.fromisoformat(m.group(1)).replace(tzinfo=zone).astimezone(UTC)
        return at if at > after else None
    if m := _CRON.match(expression):
        local_after = after.astimezone(zone)
        nxt: datetime = croniter(_cron_five_fields(m.group(1)), local_after).get_next(datetime)
        return nxt.astimezone(UTC)
    raise ValueError(f"unsupported schedule expression {expression!r}")
