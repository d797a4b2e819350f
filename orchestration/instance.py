"""The local Dagster instance: where it lives, how it is configured, how it recovers.

DAGSTER_HOME defaults to a git-ignored `.dagster_home/` in the repository. Its
`dagster.yaml` is written once if missing (a deployment's own file is never touched):
telemetry off, the SQLite event log with its connections kept open, runs whose worker
died marked failed by the daemon, freshness policies evaluated.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

from orchestration import config
from orchestration.alerts import alert_run_failure

DEFAULT_DAGSTER_HOME = config.PROJECT_ROOT / ".dagster_home"
PID_TAG = "fukan/pid"
HOST_TAG = "fukan/host"
_UNFINISHED = (DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING)

DAGSTER_YAML = """\
# Written by fukan (orchestration/instance.py) because none existed; edit freely.
# A Postgres-backed deployment replaces this file (see docs/operations.md).
telemetry:
  enabled: false
# The stock SQLite event log, keeping its files open between events: a refresh stores
# ~4,000 events and opening the file for each took a minute (orchestration/event_storage.py).
event_log_storage:
  module: orchestration.event_storage
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {events_dir}  # where the stock storage keeps them
run_monitoring:
  # A run whose worker process died is marked failed (and so alerted).
  enabled: true
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


def fail_abandoned_runs(instance: DagsterInstance) -> list[str]:
    """Mark failed, and alert, the unfinished runs of `fukan run` processes of this host
    that no longer exist (killed, or the machine went down); return their ids.

    Dagster's run monitoring does this for runs the daemon launched; a run executed in
    process (`fukan run`) has no worker it could watch, only the process id in its tags.
    """
    failed = []
    for run in instance.get_runs(RunsFilter(statuses=list(_UNFINISHED), tags={HOST_TAG: socket.gethostname()})):
        if _process_gone(run.tags):
            instance.report_run_failed(run, f"The process {run.tags[PID_TAG]} running it no longer exists.")
            alert_run_failure(instance, run)
            failed.append(run.run_id)
    return failed


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
