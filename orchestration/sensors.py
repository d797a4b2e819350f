"""Sensors: a refresh when extracts land, and an alert when a run fails."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    run_failure_sensor,
    sensor,
)

from orchestration.alerts import alert_run_failure
from orchestration.ingest.discovery import discover
from orchestration.jobs import refresh_job
from orchestration.resources import WarehouseResource

# A file changed this recently may still be being written by the ELT tool: wait a tick.
SETTLE_SECONDS = 10


def landing_snapshot(landing: Path) -> dict[str, int]:
    """Settled extracts in the landing folder: relative path -> mtime in nanoseconds.

    Uses the ingestion's own discovery, so a file the loader would not read never
    triggers a run.
    """
    files, _unrecognised = discover(landing)
    cutoff = time.time() - SETTLE_SECONDS
    snapshot = {}
    for file in files:
        mtime_ns = file.path.stat().st_mtime_ns
        if mtime_ns / 1e9 <= cutoff:
            snapshot[file.source_file] = mtime_ns
    return snapshot


@sensor(
    name="landing_files",
    job=refresh_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Start a refresh when new extracts (a new name or mtime) land in the landing folder.",
)
def landing_files_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource) -> SensorResult:
    """One run per batch of new or changed files; the cursor remembers names and mtimes.

    The first evaluation records the files already there as a baseline without starting
    a run: they load with the next scheduled or manual refresh, not all at once when the
    sensor is switched on.
    """
    landing = warehouse.landing
    if not landing.is_dir():
        return SensorResult(skip_reason=f"Landing folder {landing} does not exist.")
    current = landing_snapshot(landing)
    cursor = json.dumps(current, sort_keys=True)
    if context.cursor is None:
        return SensorResult(skip_reason=f"Baseline recorded: {len(current)} files already in {landing}.", cursor=cursor)
    seen: dict[str, int] = json.loads(context.cursor)
    new = sorted(name for name, mtime in current.items() if seen.get(name) != mtime)
    if not new:
        return SensorResult(skip_reason=f"No new files in {landing}.", cursor=cursor)
    digest = hashlib.sha256(json.dumps({name: current[name] for name in new}).encode()).hexdigest()[:16]
    shown = ", ".join(new[:5]) + (f" and {len(new) - 5} more" if len(new) > 5 else "")
    context.log.info(f"{len(new)} new files in {landing}: {shown}")
    return SensorResult(
        run_requests=[RunRequest(run_key=f"landing-{digest}", tags={"fukan/trigger": "landing_files"})],
        cursor=cursor,
    )


@run_failure_sensor(
    name="alert_on_run_failure",
    default_status=DefaultSensorStatus.RUNNING,
    description="Record an alert naming the failed asset or check and the error (log, alerts.jsonl, webhook), "
    "once per run.",
)
def alert_on_run_failure(context: RunFailureSensorContext) -> None:
    """Runs the daemon launched; `fukan run` alerts its own (executed in process, the
    sensor does not see them)."""
    alert = alert_run_failure(context.instance, context.dagster_run)
    run_id = context.dagster_run.run_id
    context.log.info(f"Alert for run {run_id} recorded" if alert else f"Run {run_id} was alerted already")
