"""The refresh job: every asset and every check, in one process.

One process runs every step (the in-process executor): every DuckDB writer of a run is
in it, and the warehouse's lock that the run holds from start to end
(orchestration/warehouse_lock.py) serialises whole runs.
"""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

REFRESH_JOB_NAME = "refresh_warehouse"

refresh_job = define_asset_job(
    REFRESH_JOB_NAME,
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Load new landing files, build and test every dbt model, run the quality checks, publish the "
    "checked copy, and write the report and dbt docs from it.",
)
