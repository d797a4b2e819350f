"""The Dagster code location of fukan: `dagster dev -m orchestration.definitions`.

Assembles only; each concern lives in its own module.
"""
from __future__ import annotations

from dagster import Definitions, in_process_executor

from orchestration.assets.dbt import fukan_dbt_models
from orchestration.assets.raw import raw_crm_extracts
from orchestration.jobs import refresh_job
from orchestration.resources import resources
from orchestration.schedules import daily_refresh_schedule
from orchestration.sensors import alert_on_run_failure, landing_files_sensor

defs = Definitions(
    assets=[raw_crm_extracts, fukan_dbt_models],
    jobs=[refresh_job],
    schedules=[daily_refresh_schedule()],
    sensors=[landing_files_sensor, alert_on_run_failure],
    resources=resources(),
    executor=in_process_executor,
)
