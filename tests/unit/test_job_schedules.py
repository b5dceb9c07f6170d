"""Job schedules (SPEC §3.2): admin input -> EventBridge Scheduler cron, and refusals by field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cscore.connector import job_definitions, schedules
from cscore.errors import BadRequest
from cslocal.schedules import next_fire


@pytest.mark.parametrize(
    ("schedule", "expression"),
    [
        ({"frequency": "DAILY", "time": "02:00", "timezone": "UTC"}, "cron(0 2 * * ? *)"),
        ({"frequency": "weekdays", "time": "23:59", "timezone": "Asia/Tokyo"}, "cron(59 23 ? * MON-FRI *)"),
        ({"frequency": "WEEKLY", "time": "06:30", "timezone": "UTC", "dayOfWeek": "fri"}, "cron(30 6 ? * FRI *)"),
        ({"frequency": "MONTHLY", "time": "00:05", "timezone": "UTC", "dayOfMonth": 28}, "cron(5 0 28 * ? *)"),
        ({"frequency": "MONTHLY", "time": "00:05", "timezone": "UTC", "dayOfMonth": "LAST"}, "cron(5 0 L * ? *)"),
    ],
)
def test_schedules_become_scheduler_cron_expressions(schedule: dict, expression: str) -> None:
    clean = schedules.validate(schedule)
    assert clean is not None and schedules.expression(clean) == expression


def test_the_local_scheduler_fires_them_when_aws_would() -> None:
    """Weekdays at 23:59 Tokyo: Friday 2026-11-27 14:59 UTC, then Monday's."""
    clean = schedules.validate({"frequency": "WEEKDAYS", "time": "23:59", "timezone": "Asia/Tokyo"})
    assert clean is not None
    after = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Saturday 00:00 in Tokyo
    assert next_fire(schedules.expression(clean), after, "Asia/Tokyo") == datetime(2026, 11, 30, 14, 59, tzinfo=UTC)


def test_on_demand_has_no_timing() -> None:
    assert schedules.validate({"frequency": "ON_DEMAND", "time": "ignored"}) == {"frequency": "ON_DEMAND"}
    assert schedules.validate(None) is None


@pytest.mark.parametrize(
    ("schedule", "field"),
    [
        ("daily", "schedule"),
        ({"frequency": "HOURLY", "time": "02:00"}, "schedule.frequency"),
        ({"frequency": "DAILY", "time": "24:00"}, "schedule.time"),
        ({"frequency": "DAILY", "time": "2:00"}, "schedule.time"),
        ({"frequency": "DAILY", "time": "02:00", "timezone": "Mars/Olympus"}, "schedule.timezone"),
        ({"frequency": "WEEKLY", "time": "02:00", "dayOfWeek": "Funday"}, "schedule.dayOfWeek"),
        ({"frequency": "MONTHLY", "time": "02:00", "dayOfMonth": 31}, "schedule.dayOfMonth"),
        ({"frequency": "MONTHLY", "time": "02:00", "dayOfMonth": True}, "schedule.dayOfMonth"),
        ({"frequency": "DAILY", "time": "02:00", "cron": "* * * * *"}, "schedule.cron"),
    ],
)
def test_bad_schedules_are_refused_by_field(schedule: object, field: str) -> None:
    with pytest.raises(BadRequest) as refused:
        schedules.validate(schedule)
    assert refused.value.desc.startswith(f"{field}:")


def test_out_of_the_box_jobs_form_one_chain_keyed_by_company_resolution() -> None:
    counter = iter(range(100))
    connection = {
        "connectionId": "C1",
        "name": "Prod",
        "companyResolution": {"sourceField": "Name", "targetField": "Name"},
    }
    jobs = {j["jobType"]: j for j in job_definitions.out_of_the_box(connection, lambda: f"J{next(counter)}")}
    user, company = jobs["USER_SYNC"], jobs["COMPANY_SYNC"]
    assert user["dependsOn"] is None and user["schedule"] == job_definitions.DEFAULT_SCHEDULE
    assert company["dependsOn"] == user["jobId"] and company["schedule"] is None
    assert jobs["COMPANY_PERSON_SYNC"]["dependsOn"] == jobs["COMPANY_TEAM_SYNC"]["dependsOn"] == company["jobId"]
    assert company["keyFields"] == ["Name"] and company["mappings"][0] == {"source": "Name", "target": "Name"}
    assert {"source": "Id", "target": "SfdcAccountId"} not in company["mappings"]
    team = jobs["COMPANY_TEAM_SYNC"]["mappings"]
    assert {"target": "UserSource", "value": "Salesforce"} in team and {
        "target": "UserAccess",
        "value": "Member",
    } in team
    assert [j["name"] for j in jobs.values()] == [
        "User Sync_Prod",
        "Company Sync_Prod",
        "Company Person Sync_Prod",
        "Company Team Sync_Prod",
    ]
