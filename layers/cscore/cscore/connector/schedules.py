"""Job schedules (SPEC §3.2): an admin's schedule becomes an EventBridge Scheduler
schedule that invokes the sync job function with ``{tenantId, jobId, trigger}``.

Schedule shape: ``{"frequency": DAILY | WEEKDAYS | WEEKLY | MONTHLY | ON_DEMAND,
"time": "HH:MM", "timezone": IANA name, "dayOfWeek": MON..SUN (WEEKLY),
"dayOfMonth": 1..28 or "LAST" (MONTHLY)}``. One function, ``apply``, makes the
Scheduler match a job, whatever changed (schedule edited, job disabled, connection
revoked or re-authorized).
"""

from __future__ import annotations

import json
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botocore.exceptions import ClientError

from cscore.errors import BadRequest
from cscore.platform import aws, config

FREQUENCIES = ("DAILY", "WEEKDAYS", "WEEKLY", "MONTHLY", "ON_DEMAND")
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_FIELDS = {"frequency", "time", "timezone", "dayOfWeek", "dayOfMonth"}


def validate(schedule: Any) -> dict[str, Any] | None:
    """A clean schedule from an admin's input (400 naming the field otherwise)."""
    if schedule is None:
        return None
    if not isinstance(schedule, dict):
        raise BadRequest("schedule: must be an object with frequency, time and timezone")
    unknown = sorted(set(schedule) - _FIELDS)
    if unknown:
        raise BadRequest(f"schedule.{unknown[0]}: unknown field (allowed: {', '.join(sorted(_FIELDS))})")
    frequency = str(schedule.get("frequency") or "").upper()
    if frequency not in FREQUENCIES:
        raise BadRequest(f"schedule.frequency: must be one of {', '.join(FREQUENCIES)}")
    if frequency == "ON_DEMAND":
        return {"frequency": frequency}
    time = str(schedule.get("time") or "")
    if not _TIME.match(time):
        raise BadRequest("schedule.time: must be HH:MM (24-hour)")
    timezone = str(schedule.get("timezone") or "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadRequest(f"schedule.timezone: unknown time zone {timezone!r} (use an IANA name)") from None
    clean: dict[str, Any] = {"frequency": frequency, "time": time, "timezone": timezone}
    if frequency == "WEEKLY":
        day = str(schedule.get("dayOfWeek") or "").upper()[:3]
        if day not in DAYS:
            raise BadRequest(f"schedule.dayOfWeek: must be one of {', '.join(DAYS)} for a weekly schedule")
        clean["dayOfWeek"] = day
    if frequency == "MONTHLY":
        day_of_month = schedule.get("dayOfMonth")
        if str(day_of_month).upper() == "LAST":
            clean["dayOfMonth"] = "LAST"
        elif isinstance(day_of_month, int) and not isinstance(day_of_month, bool) and 1 <= day_of_month <= 28:
            clean["dayOfMonth"] = day_of_month
        else:
            raise BadRequest("schedule.dayOfMonth: must be 1..28 or LAST for a monthly schedule")
    return clean


def expression(schedule: dict[str, Any]) -> str:
    """The Scheduler's ``cron(minutes hours day-of-month month day-of-week year)``."""
    hour, minute = (int(part) for part in schedule["time"].split(":"))
    frequency = schedule["frequency"]
    if frequency == "DAILY":
        return f"cron({minute} {hour} * * ? *)"
    if frequency == "WEEKDAYS":
        return f"cron({minute} {hour} ? * MON-FRI *)"
    if frequency == "WEEKLY":
        return f"cron({minute} {hour} ? * {schedule['dayOfWeek']} *)"
    day = "L" if schedule["dayOfMonth"] == "LAST" else schedule["dayOfMonth"]
    return f"cron({minute} {hour} {day} * ? *)"


def schedule_name(job_id: str) -> str:
    return f"job-{job_id}"


def apply(tenant_id: str, job: dict[str, Any], active: bool) -> None:
    """Create, update or delete the job's schedule: it exists while the job has a
    timed schedule, and is ENABLED only while the job is enabled and ``active`` (its
    connection authorized)."""
    schedule = job.get("schedule")
    name, group = schedule_name(job["jobId"]), config.schedule_group()
    client = aws.scheduler()
    if not schedule or schedule.get("frequency") == "ON_DEMAND":
        remove(job["jobId"])
        return
    definition = {
        "Name": name,
        "GroupName": group,
        "ScheduleExpression": expression(schedule),
        "ScheduleExpressionTimezone": schedule["timezone"],
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "ENABLED" if job.get("enabled") and active else "DISABLED",
        "Description": f"{job['name']} ({tenant_id})"[:512],
        "Target": {
            "Arn": config.sync_job_function_arn(),
            "RoleArn": config.scheduler_role_arn(),
            "Input": json.dumps({"tenantId": tenant_id, "jobId": job["jobId"], "trigger": "SCHEDULE"}),
            "RetryPolicy": {"MaximumRetryAttempts": 2},
        },
    }
    try:
        client.update_schedule(**definition)
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        client.create_schedule(**definition)


def remove(job_id: str) -> None:
    """Delete the job's schedule (nothing to do when it has none)."""
    try:
        aws.scheduler().delete_schedule(Name=schedule_name(job_id), GroupName=config.schedule_group())
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceNotFoundException":
            raise


def describe(job_id: str) -> dict[str, Any] | None:
    """The Scheduler's view of a job's schedule (None when there is none)."""
    try:
        return dict(aws.scheduler().get_schedule(Name=schedule_name(job_id), GroupName=config.schedule_group()))
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise
