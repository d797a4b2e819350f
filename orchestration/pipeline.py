"""`fukan run` / `make run`: materialise the whole graph through Dagster, in this process.

Not a second code path: the same job the schedule and sensors start, executed in
process on the local instance, so the run, its assets and its checks show in the UI.
The terminal gets a progress bar and a short summary; Dagster's own log goes to a file
under DAGSTER_HOME.
"""
from __future__ import annotations

import json
import logging
import time
import uuid
import warnings
from collections.abc import Callable, Iterable
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from dagster import (
    AssetCheckSeverity,
    DagsterEventType,
    DagsterInstance,
    ExecuteInProcessResult,
)
from dagster._core.events.log import EventLogEntry
from dagster_dbt import DagsterDbtCliRuntimeError
from tqdm import tqdm

from orchestration import config
from orchestration.alerts import error_text
from orchestration.assets.dbt import DBT_STEP
from orchestration.assets.raw import RAW_GROUP
from orchestration.build_state import definitions_fingerprint
from orchestration.checks.quality import forget_validation_ahead, validate_raw_extracts_ahead
from orchestration.dbt_project import manifest_is_stale
from orchestration.dbt_server import WarmDbt
from orchestration.definitions import defs as load_definitions
from orchestration.instance import (
    ensure_dagster_home,
    ensure_warehouse_pool,
    release_abandoned_slots,
    run_tags,
)
from orchestration.jobs import REFRESH_JOB_NAME
from orchestration.report.dbt_docs import docs_are_current
from orchestration.resources import WAREHOUSE_POOL

_PROGRESS_EVENTS = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION}
_STEP_END_EVENTS = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE}


class RunProgress:
    """Follows the run's events as they are stored: a tqdm bar over assets and checks,
    and every event as one line of the run's log file (`tail -f` works)."""

    def __init__(self, total: int, log_file: TextIO, enabled: bool) -> None:
        self._log = log_file
        self._bar = tqdm(total=total, unit="step", disable=not enabled, dynamic_ncols=True, mininterval=0.5)

    def __call__(self, entry: EventLogEntry) -> None:
        stamp = datetime.fromtimestamp(entry.timestamp).isoformat(sep=" ", timespec="seconds")
        level = logging.getLevelName(entry.level)
        self._log.write(f"{stamp} {level:<7} {entry.step_key or '-'}: {entry.message}\n")
        self._log.flush()
        event = entry.dagster_event
        if event is None:
            return
        if event.event_type in _PROGRESS_EVENTS:
            self._bar.update(1)
        elif event.event_type == DagsterEventType.STEP_START:
            self._bar.set_description(event.step_key or "")
        elif event.event_type == DagsterEventType.ENGINE_EVENT and "blocked by limit for pool" in (event.message or ""):
            self._bar.set_description("waiting for the warehouse (another run holds it)")

    def close(self) -> None:
        self._bar.close()


def _when_step_starts(step_key: str, action: Callable[[], None]) -> Callable[[EventLogEntry], None]:
    """An event listener that calls `action` once, when the step `step_key` starts."""
    started = False

    def listener(entry: EventLogEntry) -> None:
        nonlocal started
        if not started and entry.step_key == step_key and entry.dagster_event_type == DagsterEventType.STEP_START:
            started = True
            action()

    return listener


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
        lines += [f"  failed check: {name}" for name in self.failed_checks]
        lines += [f"  warning: {name}" for name in self.warned_checks]
        lines += [f"  error: {error}" for error in self.step_errors]
        return "\n".join(lines)


def _summarise(
    result: ExecuteInProcessResult, planned: int, seconds: float, warehouse: Path, log_path: Path
) -> RunSummary:
    materialisations = result.get_asset_materialization_events()
    ingest = {"new_files": 0, "rows_loaded": 0, "rows_quarantined": 0}
    for event in materialisations:
        materialization = event.step_materialization_data.materialization
        if materialization.asset_key.path[0] != RAW_GROUP:
            continue
        for name in ingest:
            value = materialization.metadata.get(name)
            ingest[name] += int(value.value) if value is not None else 0
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]

    def name(evaluation) -> str:
        return f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"

    return RunSummary(
        run_id=result.run_id,
        success=result.success,
        seconds=seconds,
        assets_materialised=len({e.asset_key for e in materialisations}),
        assets_planned=planned,
        checks_passed=len(evaluations) - len(failed),
        failed_checks=[name(e) for e in failed if e.severity == AssetCheckSeverity.ERROR],
        warned_checks=[name(e) for e in failed if e.severity == AssetCheckSeverity.WARN],
        step_errors=[f"{e.step_key}: {error_text(e)}" for e in result.get_step_failure_events()],
        ingest=ingest,
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


def _announce_waiting(instance: DagsterInstance) -> None:
    """Say so when another run holds the warehouse: this run waits for it, it does not fail."""
    released = release_abandoned_slots(instance)
    if released:
        print(f"Released the warehouse from runs that died: {', '.join(released)}")
    holders = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).active_run_ids
    if holders:
        print(f"The warehouse is in use by run {', '.join(sorted(holders))}; this run waits until it is done.")


def _dbt_commands(warehouse: Path) -> int:
    """The dbt commands a refresh of `warehouse` runs: `dbt parse` when the manifest is
    stale, `dbt build`, and `dbt docs generate` unless the published docs are current."""
    docs_current = docs_are_current(config.published_dir(warehouse), definitions_fingerprint())
    return manifest_is_stale() + 1 + (not docs_current)


def run_pipeline(landing: Path, warehouse: Path, progress: bool = True, timings_json: Path | None = None) -> int:
    """Refresh the warehouse end to end; return a process exit code (0 = every step and check passed).

    With `timings_json`, also write the wall seconds of every step (see `timings_document`).
    """
    # Each dbt command's process imports dbt (~3 s) ahead, while this one loads the
    # definitions, starts the run, ingests, checks and publishes.
    with WarmDbt(commands=_dbt_commands(Path(warehouse).resolve())):
        return _refresh(landing, warehouse, progress, timings_json)


def _refresh(landing: Path, warehouse: Path, progress: bool, timings_json: Path | None) -> int:
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
        "resources": {
            "warehouse": {"config": {"landing_dir": str(landing), "warehouse_path": str(warehouse)}}
        },
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }
    run_id = str(uuid.uuid4())  # known up front, to follow the run's events
    log_path = home / "logs" / f"{run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Refreshing {warehouse} from {landing} (Dagster log: {log_path})")

    with DagsterInstance.from_config(str(home)) as instance, log_path.open("w", encoding="utf-8") as log_file:
        ensure_warehouse_pool(instance)
        _announce_waiting(instance)
        tracker = RunProgress(planned + len(graph.asset_check_keys), log_file, enabled=progress)
        instance.add_event_listener(run_id, tracker)
        # GX (its ~5 s import, then the raw extracts' suites) runs in a thread during `dbt
        # build`, a subprocess this process only waits for. Started with the run, the import
        # would slow the run's own start (one interpreter lock).
        instance.add_event_listener(
            run_id, _when_step_starts(DBT_STEP, lambda: validate_raw_extracts_ahead(warehouse, home, run_id))
        )
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
            forget_validation_ahead(run_id)
        steps = _run_step_seconds(instance, run_id) if timings_json else {}
    summary = _summarise(result, planned, time.monotonic() - started, warehouse, log_path)
    print(summary)
    if timings_json:
        _write_json(Path(timings_json), timings_document(summary, steps, load_seconds))
    return summary.exit_code
