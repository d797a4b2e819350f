"""The refresh job: every asset and every check, in one process.

In-process execution halves the run time and keeps every DuckDB writer in one process
(STACK_NOTES); across runs the warehouse pool (orchestration/resources.py) serialises them.
"""
from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

REFRESH_JOB_NAME = "refresh_warehouse"

refresh_job = define_asset_job(
    REFRESH_JOB_NAME,
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description="Load new landing files, build and test every dbt model, and (later) publish.",
)
