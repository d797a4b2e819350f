"""`fukan-dbt`, the dbt command line the pipeline runs: dbt's own, exit codes included."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration import config
from orchestration.dbt_entry import LOG_LEVEL_FILE_VARIABLE
from orchestration.dbt_project import dbt_executable


def _run(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([dbt_executable(), *arguments], capture_output=True, text=True, timeout=300, env=env)


def test_the_pipeline_runs_dbt_through_fukan_dbt() -> None:
    assert Path(dbt_executable()).name == "fukan-dbt"


def test_fukan_dbt_is_dbt_and_passes_its_exit_code_through() -> None:
    shown = _run("--help")
    assert shown.returncode == 0 and "An ELT tool for managing your SQL transformations" in shown.stdout
    # A dbt failure exits the same way (click's SystemExit); test_quality_gate fails a build.
    refused = _run("build", "--no-such-option")
    assert refused.returncode == 2 and "no-such-option" in refused.stderr


def _log_levels(log_dir: Path, env: dict[str, str]) -> set[str]:
    """The levels of the lines `dbt debug --config-dir` (a quick command) writes to dbt.log."""
    done = _run(
        "debug",
        "--config-dir",
        "--log-path",
        str(log_dir),
        "--project-dir",
        str(config.DBT_PROJECT_DIR),
        "--profiles-dir",
        str(config.DBT_PROJECT_DIR),
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return set(re.findall(r"^\S*\d\d:\d\d:\d\d\.\d+ \[(\w+)\s*\]", (log_dir / "dbt.log").read_text(), re.M))


def test_dbt_log_holds_what_the_console_shows_unless_debug_is_asked_for(tmp_path: Path) -> None:
    environment = {name: value for name, value in os.environ.items() if name != LOG_LEVEL_FILE_VARIABLE}
    assert _log_levels(tmp_path / "default", environment) == {"info"}
    assert _log_levels(tmp_path / "debug", {**environment, LOG_LEVEL_FILE_VARIABLE: "debug"}) == {"info", "debug"}


def test_fukan_dbt_dies_with_the_process_that_started_it() -> None:
    """A refresh killed with SIGKILL must not leave its dbt behind, holding the DuckDB lock."""
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; "
            "child = subprocess.Popen([sys.executable, '-c', "
            "'from orchestration.dbt_entry import die_with_parent; die_with_parent(); import time; time.sleep(300)']); "
            "print(child.pid, flush=True); time.sleep(300)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=config.PROJECT_ROOT,
    )
    child = int(parent.stdout.readline())
    try:
        time.sleep(2)  # the child has asked to die with its parent
        assert _alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
