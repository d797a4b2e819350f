"""The daily refresh: 06:00 Asia/Tokyo unless FUKAN_SCHEDULE_CRON / FUKAN_SCHEDULE_TZ say otherwise.

06:00 JST puts fresh KPI marts in front of a Japanese sales team before its morning
meeting; a deployment elsewhere changes the environment, not the code.
"""

from __future__ import annotations

import os

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import refresh_job

DEFAULT_CRON = "0 6 * * *"
DEFAULT_TIMEZONE = "Asia/Tokyo"


def daily_refresh_schedule() -> ScheduleDefinition:
    return ScheduleDefinition(
        name="daily_refresh",
        job=refresh_job,
        cron_schedule=os.environ.get("FUKAN_SCHEDULE_CRON", DEFAULT_CRON),
        execution_timezone=os.environ.get("FUKAN_SCHEDULE_TZ", DEFAULT_TIMEZONE),
        default_status=DefaultScheduleStatus.RUNNING,
        description="Refresh the whole warehouse once a day (cron FUKAN_SCHEDULE_CRON, time zone FUKAN_SCHEDULE_TZ).",
    )
