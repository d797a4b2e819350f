"""The local Dagster instance: where it lives, how it is configured, how it recovers.

DAGSTER_HOME defaults to a git-ignored `.dagster_home/` in the repository. Its
`dagster.yaml` is written once if missing (a deployment's own file is never touched):
telemetry off, the SQLite event log with its connections kept open, every pool limited to one step at a time across runs (the warehouse pool
above all), slots of dead runs given back by the daemon, freshness policies evaluated.
"""
from __future__ import annotations

import os
import socket
from pathlib import Path

from dagster import DagsterInstance

from orchestration import config
from orchestration.resources import WAREHOUSE_POOL

DEFAULT_DAGSTER_HOME = config.PROJECT_ROOT / ".dagster_home"
PID_TAG = "fukan/pid"
HOST_TAG = "fukan/host"

DAGSTER_YAML = """\
# Written by fukan (orchestration/instance.py) because none existed; edit freely.
# A Postgres-backed deployment replaces this file (see the README).
telemetry:
  enabled: false
# The stock SQLite event log, keeping its files open between events: a refresh stores
# ~4,000 events and opening the file for each took a minute (orchestration/event_storage.py).
event_log_storage:
  module: orchestration.event_storage
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {events_dir}  # where the stock storage keeps them
concurrency:
  pools:
    # "op": a step waits for a slot, so runs started by `fukan run` (which bypass the
    # run queue) are serialised too. One DuckDB writer at a time.
    granularity: op
    default_limit: 1
run_monitoring:
  enabled: true
  # A run that ended without releasing its warehouse slot (a killed worker) gives it back.
  free_slots_after_run_end_seconds: 60
freshness:
  enabled: true
"""


def dagster_home() -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).resolve()


def ensure_dagster_home(home: Path | None = None) -> Path:
    """Create the folder and its dagster.yaml if missing; return the folder."""
    home = home or dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    yaml = home / "dagster.yaml"
    if not yaml.exists():
        yaml.write_text(DAGSTER_YAML.format(events_dir=home.resolve() / "history" / "runs"), encoding="utf-8")
    return home


def ensure_warehouse_pool(instance: DagsterInstance) -> None:
    """Limit the warehouse pool to 1 even when a deployment's dagster.yaml sets no default."""
    storage = instance.event_log_storage
    if storage.get_pool_config().default_pool_limit is None and not any(
        limit.name == WAREHOUSE_POOL for limit in storage.get_pool_limits()
    ):
        storage.set_concurrency_slots(WAREHOUSE_POOL, 1)


def release_abandoned_slots(instance: DagsterInstance) -> list[str]:
    """Free warehouse slots held by runs that can no longer release them; return their ids.

    A slot is freed when its step ends. A run that was killed (SIGKILL, a closed terminal)
    never frees it, and every later run would wait forever: release slots of finished
    runs, and of `fukan run` runs whose process on this host is gone (marked failed).
    """
    released = []
    info = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
    for run_id in info.active_run_ids | {step.run_id for step in info.pending_steps}:
        run = instance.get_run_by_id(run_id)
        if run is not None and not run.is_finished:
            if not _process_gone(run.tags):
                continue
            instance.report_run_failed(run, f"The process {run.tags[PID_TAG]} running it no longer exists.")
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)
        released.append(run_id)
    return released


def run_tags() -> dict[str, str]:
    """Tags that let a later run tell whether this process is still alive."""
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _process_gone(tags: dict[str, str]) -> bool:
    if tags.get(HOST_TAG) != socket.gethostname() or PID_TAG not in tags:
        return False
    try:
        os.kill(int(tags[PID_TAG]), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
