"""Every launch path, on one warehouse: a `fukan run` killed at the dbt step leaves nothing
behind; then a refresh launched as the daemon launches it (a run worker) and a `fukan run`
overlap, the second waits for the first as a whole, and both publish what the session's
`fukan run` published from the same extracts."""

from __future__ import annotations

import fcntl
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus
from launch_paths import daemon_home, launch_like_the_daemon, published_checksums, wait_for_run

from orchestration import config
from orchestration.alerts import ALERTS_FILE
from orchestration.checks.quality import SUITE_CHECK
from orchestration.pipeline import run_pipeline
from orchestration.warehouse_lock import WAITING, lock_path

pytestmark = pytest.mark.e2e


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _descendants(pid: int) -> list[int]:
    found = _children(pid)
    for child in list(found):
        found += _descendants(child)
    return found


def _command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _lock_is_free(warehouse: Path) -> bool:
    with lock_path(warehouse).open("a") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def _wait(condition, what: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@dataclass(frozen=True)
class Killed:
    run_id: str
    left_alive: list[str]  # command lines of the killed run's processes still alive after it
    lock_free: bool
    warehouse_opens: bool


@dataclass(frozen=True)
class Launches:
    home: Path
    warehouse: Path
    killed: Killed
    daemon_run_id: str
    daemon_published: tuple[str, dict[str, str]]
    local_exit_code: int
    local_output: str
    local_published: tuple[str, dict[str, str]]


def _kill_at_the_dbt_step(home: Path, landing: Path, warehouse: Path) -> Killed:
    environment = {**os.environ, "DAGSTER_HOME": str(home)}
    fukan = Path(sys.executable).parent / "fukan"
    process = subprocess.Popen(
        [str(fukan), "run", "--quiet", "--landing", str(landing), "--warehouse", str(warehouse)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait(lambda: any("fukan-dbt build" in _command_line(pid) for pid in _descendants(process.pid)), "dbt build")
    time.sleep(2)  # dbt has opened the warehouse
    tree = _descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    time.sleep(2)
    left = [_command_line(pid) for pid in tree if _alive(pid)]
    try:
        duckdb.connect(str(warehouse)).close()
        opens = True
    except duckdb.IOException:
        opens = False
    with DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
    return Killed(run.run_id, left, _lock_is_free(warehouse), opens)


@pytest.fixture(scope="module")
def launches(built_warehouse, dagster_homes: Path, tmp_path_factory: pytest.TempPathFactory) -> Launches:
    root = tmp_path_factory.mktemp("launches")
    landing = root / "landing"
    shutil.copytree(built_warehouse.landing, landing)
    warehouse = root / "warehouse" / "fukan.duckdb"
    home = daemon_home(dagster_homes / "launches")
    published = config.published_dir(warehouse)

    killed = _kill_at_the_dbt_step(home, landing, warehouse)

    launch = launch_like_the_daemon(home, landing, warehouse)
    daemon_run_id = launch.run_id
    _wait(lambda: not _lock_is_free(warehouse), "the daemon's run to hold the warehouse")
    output = io.StringIO()
    local: dict[str, int] = {}

    def refresh() -> None:
        with redirect_stdout(output), pytest.MonkeyPatch.context() as patch:
            patch.setenv("DAGSTER_HOME", str(home))
            local["exit_code"] = run_pipeline(landing, warehouse, progress=False)

    thread = threading.Thread(target=refresh)
    thread.start()
    daemon_run = wait_for_run(home, daemon_run_id)
    # The waiting refresh starts now and publishes only after its build: read the daemon's version first.
    daemon_published = published_checksums(published) if daemon_run.status == DagsterRunStatus.SUCCESS else ("", {})
    thread.join(timeout=1200)
    launch.finish()
    return Launches(
        home,
        warehouse,
        killed,
        daemon_run_id,
        daemon_published,
        local["exit_code"],
        output.getvalue(),
        published_checksums(published),
    )


def test_a_run_killed_at_the_dbt_step_leaves_no_process_and_no_lock(launches: Launches) -> None:
    assert launches.killed.left_alive == []
    assert launches.killed.lock_free and launches.killed.warehouse_opens


def test_the_killed_run_is_marked_failed_and_alerted_once_by_the_next_fukan_run(launches: Launches) -> None:
    with DagsterInstance.from_config(str(launches.home)) as instance:
        assert instance.get_run_by_id(launches.killed.run_id).status == DagsterRunStatus.FAILURE
    alerts = [json.loads(line) for line in (launches.home / ALERTS_FILE).read_text().splitlines()]
    assert [alert["run_id"] for alert in alerts] == [launches.killed.run_id]
    assert "no longer exists" in alerts[0]["text"]


def test_a_refresh_launched_as_the_daemon_launches_it_passes_every_check(launches: Launches) -> None:
    with DagsterInstance.from_config(str(launches.home)) as instance:
        run = instance.get_run_by_id(launches.daemon_run_id)
        failures = [
            str(e.dagster_event.step_failure_data.error)
            for e in instance.all_logs(run.run_id, of_type=DagsterEventType.STEP_FAILURE)
        ]
        assert (run.status, failures) == (DagsterRunStatus.SUCCESS, [])
        assert run.remote_job_origin is not None  # launched from the code location, as the daemon does
        checks = [
            e.dagster_event.asset_check_evaluation_data
            for e in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        ]
    gx = [c for c in checks if c.check_name == SUITE_CHECK]
    assert gx and all(c.passed for c in gx)
    raw = [c for c in gx if c.asset_key.path[0] == "raw"]
    assert raw and all(c.metadata["validated_ahead"].value for c in raw)  # the speed-up works in a run worker too


def test_the_daemon_path_and_fukan_run_publish_identical_tables(launches: Launches, built_warehouse) -> None:
    _, reference = published_checksums(config.published_dir(built_warehouse.warehouse))
    run_id, tables = launches.daemon_published
    assert run_id == launches.daemon_run_id
    assert any(name.startswith("kpi.") for name in reference)
    assert tables == reference


def test_a_second_refresh_waits_for_the_first_and_both_succeed(launches: Launches, built_warehouse) -> None:
    assert launches.local_exit_code == 0, launches.local_output
    assert f"{WAITING} of {launches.warehouse}" in launches.local_output
    assert f"run {launches.daemon_run_id}" in launches.local_output
    run_id, tables = launches.local_published
    assert run_id != launches.daemon_run_id and tables == launches.daemon_published[1]
    with DagsterInstance.from_config(str(launches.home)) as instance:
        daemon = instance.get_run_by_id(launches.daemon_run_id)
        local = instance.get_run_by_id(run_id)
        daemon_end = instance.get_run_stats(daemon.run_id).end_time
        local_steps = [e.timestamp for e in instance.all_logs(run_id, of_type=DagsterEventType.STEP_START)]
    assert local.status == DagsterRunStatus.SUCCESS
    assert min(local_steps) >= daemon_end  # not one step of the second ran before the first ended
