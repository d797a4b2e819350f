"""`fukan run` / `make run`: materialise the whole graph through Dagster, in this process.

Not a second code path: the same job the schedule and sensors start, executed in
process on the local instance, so the run, its assets and its checks show in the UI.
The terminal gets a progress bar and a short summary; Dagster's own log goes to a file
under DAGSTER_HOME.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
import warnings
from collections.abc import Iterable
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from dagster import (
    DagsterEventType,
    DagsterInstance,
    ExecuteInProcessResult,
)
from dagster._core.events.log import EventLogEntry
from dagster_dbt import DagsterDbtCliRuntimeError
from tqdm import tqdm

from orchestration.alerts import alert_run_failure, error_text, failed_and_warned
from orchestration.assets.raw import LEDGER_KEY, RAW_GROUP
from orchestration.definitions import defs as load_definitions
from orchestration.instance import ensure_dagster_home, fail_abandoned_runs, run_tags
from orchestration.jobs import REFRESH_JOB_NAME
from orchestration.warehouse_lock import WAITING

_PROGRESS_EVENTS = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION}
_STEP_END_EVENTS = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}
# Landing entries the summary names one by one; the ledger asset's metadata lists all.
NOT_READ_SHOWN = 20


class RunProgress:
    """Follows the run's events as they are stored: a tqdm bar over assets and checks,
    every event as one line of the run's log file (`tail -f` works), and on the terminal
    the line saying that the run waits for another refresh of the warehouse."""

    def __init__(self, total: int, log_file: TextIO, terminal: TextIO, enabled: bool) -> None:
        self._log = log_file
        self._terminal = terminal
        self._bar = tqdm(total=total, unit="step", disable=not enabled, dynamic_ncols=True, mininterval=0.5)

    def __call__(self, entry: EventLogEntry) -> None:
        stamp = datetime.fromtimestamp(entry.timestamp).isoformat(sep=" ", timespec="seconds")
        level = logging.getLevelName(entry.level)
        self._log.write(f"{stamp} {level:<7} {entry.step_key or '-'}: {entry.message}\n")
        self._log.flush()
        event = entry.dagster_event
        if event is None:
            if entry.user_message.startswith(WAITING):
                tqdm.write(entry.user_message, file=self._terminal)
            return
        if event.event_type in _PROGRESS_EVENTS:
            self._bar.update(1)
        elif event.event_type == DagsterEventType.STEP_START:
            self._bar.set_description(event.step_key or "")

    def close(self) -> None:
        self._bar.close()


@dataclass(frozen=True)
class RunSummary:
    """What a person wants to know after a refresh, computed from the run's events."""

    run_id: str
    success: bool
    seconds: float
    assets_materialised: int
    assets_planned: int
    checks_passed: int
    failed_checks: list[str]
    warned_checks: list[str]
    step_errors: list[str]
    ingest: dict[str, int]
    not_read: list[dict[str, str]]  # landing entries the ingest did not read: path and reason
    warehouse: Path
    log_path: Path

    @property
    def exit_code(self) -> int:
        return 0 if self.success and not self.failed_checks else 1

    def __str__(self) -> str:
        status = "succeeded" if self.exit_code == 0 else "FAILED"
        minutes, seconds = divmod(round(self.seconds), 60)
        lines = [
            f"Refresh {status} in {minutes}m{seconds:02d}s (run {self.run_id}).",
            f"  assets materialised: {self.assets_materialised} of {self.assets_planned}",
            f"  checks: {self.checks_passed} passed, {len(self.failed_checks)} failed"
            + (f", {len(self.warned_checks)} warned" if self.warned_checks else ""),
            f"  ingest: {self.ingest['new_files']} new files, {self.ingest['rows_loaded']:,} rows loaded, "
            f"{self.ingest['rows_quarantined']:,} quarantined",
            f"  warehouse: {self.warehouse}",
            f"  Dagster log: {self.log_path}",
        ]
        shown = self.not_read[:NOT_READ_SHOWN]
        lines += [f"  not read: {entry['path']} ({entry['reason']})" for entry in shown]
        if len(self.not_read) > len(shown):
            lines.append(f"  not read: {len(self.not_read) - len(shown)} more (the ingest/load_ledger asset lists all)")
        lines += [f"  failed check: {name}" for name in self.failed_checks]
        lines += [f"  warning: {name}" for name in self.warned_checks]
        lines += [f"  error: {error}" for error in self.step_errors]
        return "\n".join(lines)


def _summarise(
    result: ExecuteInProcessResult, planned: int, seconds: float, warehouse: Path, log_path: Path
) -> RunSummary:
    materialisations = result.get_asset_materialization_events()
    ingest = {"new_files": 0, "rows_loaded": 0, "rows_quarantined": 0}
    not_read: list[dict[str, str]] = []
    for event in materialisations:
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key == LEDGER_KEY:
            not_read += materialization.metadata["not_read"].value
        if materialization.asset_key.path[0] != RAW_GROUP:
            continue
        for name in ingest:
            value = materialization.metadata.get(name)
            ingest[name] += int(value.value) if value is not None else 0
    evaluations = result.get_asset_check_evaluations()
    failed_checks, warned_checks = failed_and_warned(evaluations)

    return RunSummary(
        run_id=result.run_id,
        success=result.success,
        seconds=seconds,
        assets_materialised=len({e.asset_key for e in materialisations}),
        assets_planned=planned,
        checks_passed=len(evaluations) - len(failed_checks) - len(warned_checks),
        failed_checks=failed_checks,
        warned_checks=warned_checks,
        step_errors=[f"{e.step_key}: {error_text(e)}" for e in result.get_step_failure_events()],
        ingest=ingest,
        not_read=not_read,
        warehouse=warehouse,
        log_path=log_path,
    )


def step_seconds(entries: Iterable[EventLogEntry]) -> dict[str, float]:
    """Wall seconds per step, from its STEP_START to its STEP_SUCCESS or STEP_FAILURE event.

    Event timestamps, not a timer around the job: they are what the run stored, so the
    figures also hold for a run read back from the instance. A step that never ended
    (the run died) is left out; steps come in the order they started.
    """
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for entry in entries:
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            started.setdefault(event.step_key, entry.timestamp)
        elif event.event_type in _STEP_END_EVENTS and event.step_key in started:
            seconds[event.step_key] = round(entry.timestamp - started[event.step_key], 3)
    return {key: seconds[key] for key in started if key in seconds}


def _run_step_seconds(instance: DagsterInstance, run_id: str) -> dict[str, float]:
    types = {DagsterEventType.STEP_START, *_STEP_END_EVENTS}
    return step_seconds(instance.all_logs(run_id, of_type=types))


def timings_document(summary: RunSummary, steps: dict[str, float], load_seconds: float) -> dict[str, Any]:
    """What `fukan run --timings-json` writes: where the run's time went, and what it did."""
    return {
        "run_id": summary.run_id,
        "success": summary.exit_code == 0,
        "total_seconds": round(summary.seconds, 3),
        "load_definitions_seconds": round(load_seconds, 3),
        "steps": steps,
        "rows_loaded": summary.ingest["rows_loaded"],
        "rows_quarantined": summary.ingest["rows_quarantined"],
        "new_files": summary.ingest["new_files"],
        "assets_materialised": summary.assets_materialised,
        "assets_planned": summary.assets_planned,
        "checks_passed": summary.checks_passed,
        "checks_failed": len(summary.failed_checks),
        "checks_warned": len(summary.warned_checks),
        "warehouse": str(summary.warehouse),
    }


def _write_json(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def run_pipeline(landing: Path, warehouse: Path, progress: bool = True, timings_json: Path | None = None) -> int:
    """Refresh the warehouse end to end; return a process exit code (0 = every step and check passed).

    With `timings_json`, also write the wall seconds of every step (see `timings_document`).
    """
    started = time.monotonic()
    landing, warehouse = Path(landing).resolve(), Path(warehouse).resolve()
    home = ensure_dagster_home()
    try:
        defs = load_definitions()
    except DagsterDbtCliRuntimeError as error:
        print(f"dbt could not parse the project; nothing was run.\n{error}")
        return 2
    load_seconds = time.monotonic() - started
    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    graph = defs.resolve_asset_graph()
    planned = len(graph.get_all_asset_keys())
    run_config = {
        "resources": {"warehouse": {"config": {"landing_dir": str(landing), "warehouse_path": str(warehouse)}}},
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }
    run_id = str(uuid.uuid4())  # known up front, to follow the run's events
    log_path = home / "logs" / f"{run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Refreshing {warehouse} from {landing} (Dagster log: {log_path})")

    with DagsterInstance.from_config(str(home)) as instance, log_path.open("w", encoding="utf-8") as log_file:
        for abandoned in fail_abandoned_runs(instance):
            print(f"Run {abandoned} was left unfinished by a process that no longer exists: marked failed.")
        tracker = RunProgress(planned + len(graph.asset_check_keys), log_file, sys.stdout, enabled=progress)
        instance.add_event_listener(run_id, tracker)
        try:
            # dbt's own output (which dagster-dbt echoes to stdout) joins the log file too.
            with warnings.catch_warnings(), redirect_stdout(log_file):
                warnings.simplefilter("ignore")  # Dagster's preview/beta notices belong in docs, not here
                result = job.execute_in_process(
                    run_config=run_config,
                    instance=instance,
                    run_id=run_id,
                    raise_on_error=False,
                    tags=run_tags(),
                )
        finally:
            tracker.close()
        if not result.success:
            # The daemon's failure sensor does not see runs executed in process.
            alert_run_failure(instance, result.dagster_run)
        steps = _run_step_seconds(instance, run_id) if timings_json else {}
    summary = _summarise(result, planned, time.monotonic() - started, warehouse, log_path)
    print(summary)
    if timings_json:
        _write_json(Path(timings_json), timings_document(summary, steps, load_seconds))
    return summary.exit_code
