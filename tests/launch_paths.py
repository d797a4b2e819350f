"""Launching the refresh job the way Dagster's daemon does, and reading what a run left.

`dagster job launch` creates the run from the code location (a gRPC code server) and
hands it to the instance's run launcher: the default one, which the daemon also uses
for a run it takes from the queue. The code server starts the run worker as the
daemon's runs start (multiprocessing's "spawn"). The instance here launches at once
instead of queueing, since no daemon runs in a test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import DagsterInstance, DagsterRun

from orchestration import config
from orchestration.instance import ensure_dagster_home
from orchestration.jobs import REFRESH_JOB_NAME

_LAUNCH_AT_ONCE = """
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
"""


def daemon_home(folder: Path) -> Path:
    """fukan's instance, launching runs at once (as the daemon does from its queue)."""
    home = ensure_dagster_home(folder)
    with (home / "dagster.yaml").open("a", encoding="utf-8") as file:
        file.write(_LAUNCH_AT_ONCE)
    return home


@dataclass(frozen=True)
class Launch:
    run_id: str
    command: subprocess.Popen[bytes]  # `dagster job launch`: it ends when its code server has no run left
    log: Path  # its output, and its code server's and run worker's, which inherit it

    def finish(self) -> None:
        assert self.command.wait(timeout=600) == 0, self.log.read_text(errors="replace")[-3000:]


def launch_like_the_daemon(home: Path, landing: Path, warehouse: Path) -> Launch:
    """Launch the refresh in a run worker, configured by the environment as a deployment is."""
    run_id = str(uuid.uuid4())
    environment = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "FUKAN_LANDING_DIR": str(landing),
        "FUKAN_WAREHOUSE": str(warehouse),
    }
    dagster = Path(sys.executable).parent / "dagster"
    log = home / f"launch-{run_id}.log"
    with log.open("wb") as output:  # a file: a pipe nobody reads would stall the run worker
        command = subprocess.Popen(
            [
                str(dagster),
                "job",
                "launch",
                "-m",
                "orchestration.definitions",
                "-j",
                REFRESH_JOB_NAME,
                "--run-id",
                run_id,
            ],
            env=environment,
            cwd=config.PROJECT_ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Launch(run_id, command, log)


def wait_for_run(home: Path, run_id: str, timeout: float = 1200) -> DagsterRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with DagsterInstance.from_config(str(home)) as instance:
            run = instance.get_run_by_id(run_id)
        if run is not None and run.is_finished:
            return run
        time.sleep(1)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def published_checksums(published: Path) -> tuple[str, dict[str, str]]:
    """The run that published the live version, and an order-independent fingerprint of
    every published table (schemas marts and kpi)."""
    with duckdb.connect(str(published / "fukan.duckdb"), read_only=True) as con:
        run_id = con.execute("select json_extract_string(manifest_json, '$.run_id') from publish.manifest").fetchone()[
            0
        ]
        tables = [
            r[0]
            for r in con.execute(
                "select table_schema || '.' || table_name from information_schema.tables "
                "where table_schema in ('kpi', 'marts') order by 1"
            ).fetchall()
        ]
        return run_id, {
            table: con.execute(f"select count(*) || ':' || coalesce(sum(hash(t)), 0) from {table} as t").fetchone()[0]
            for table in tables
        }
