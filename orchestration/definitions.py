"""The Dagster code location of fukan: `dagster dev -m orchestration.definitions`.

Assembles only; each concern lives in its own module. Loading is lazy (`@definitions`):
the dbt manifest is prepared first, so loading or reloading the code location always
sees the dbt project as it is on disk, and importing this module costs nothing.
`fukan run` calls `defs()` for the same reason.
"""

from __future__ import annotations

from dagster import Definitions, definitions, in_process_executor

from orchestration.assets.dbt import build_dbt_assets
from orchestration.assets.publish import build_published_warehouse
from orchestration.assets.raw import raw_crm_extracts
from orchestration.checks.quality import build_mart_expectations, raw_extract_expectations
from orchestration.dbt_project import ensure_manifest
from orchestration.jobs import refresh_job
from orchestration.resources import resources
from orchestration.schedules import daily_refresh_schedule
from orchestration.sensors import alert_on_run_failure, landing_files_sensor


@definitions
def defs() -> Definitions:
    dbt_models = build_dbt_assets(ensure_manifest())
    quality_checks = [raw_extract_expectations, build_mart_expectations(dbt_models)]
    return Definitions(
        assets=[
            raw_crm_extracts,
            dbt_models,
            build_published_warehouse(dbt_models, quality_checks),  # with the report and docs
        ],
        asset_checks=quality_checks,
        jobs=[refresh_job],
        schedules=[daily_refresh_schedule()],
        sensors=[landing_files_sensor, alert_on_run_failure],
        resources=resources(),
        executor=in_process_executor,
    )
