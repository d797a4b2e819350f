"""`fukan-dbt`, the dbt command line the pipeline runs: dbt's own, exit codes included."""
from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

from orchestration import config
from orchestration.dbt_entry import LOG_LEVEL_FILE_VARIABLE
from orchestration.dbt_project import dbt_executable
from orchestration.dbt_server import SERVER_VARIABLE, WarmDbt


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
    done = _run("debug", "--config-dir", "--log-path", str(log_dir), "--project-dir", str(config.DBT_PROJECT_DIR),
                "--profiles-dir", str(config.DBT_PROJECT_DIR), env=env)
    assert done.returncode == 0, done.stderr
    return set(re.findall(r"^\S*\d\d:\d\d:\d\d\.\d+ \[(\w+)\s*\]", (log_dir / "dbt.log").read_text(), re.M))


def test_dbt_log_holds_what_the_console_shows_unless_debug_is_asked_for(tmp_path: Path) -> None:
    environment = {name: value for name, value in os.environ.items() if name != LOG_LEVEL_FILE_VARIABLE}
    assert _log_levels(tmp_path / "default", environment) == {"info"}
    assert _log_levels(tmp_path / "debug", {**environment, LOG_LEVEL_FILE_VARIABLE: "debug"}) == {"info", "debug"}


def _wait_for(path: Path) -> None:
    for _ in range(600):
        if path.exists():
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens at {path}")


def test_commands_run_on_the_processes_started_ahead_streams_and_exit_codes_included() -> None:
    with WarmDbt(commands=2):
        socket_path = Path(os.environ[SERVER_VARIABLE])
        _wait_for(socket_path)
        shown = _run("debug", "--config-dir", "--project-dir", str(config.DBT_PROJECT_DIR),
                     "--profiles-dir", str(config.DBT_PROJECT_DIR))
        assert shown.returncode == 0 and "To view your profiles.yml file" in shown.stdout
        _wait_for(socket_path)  # the next command's process listens where the first one did
        refused = _run("build", "--no-such-option")
        assert refused.returncode == 2 and "no-such-option" in refused.stderr
        assert "Usage: fukan-dbt build" in refused.stderr  # the command line's own name
        assert not socket_path.exists()  # both taken, none started after them
    assert SERVER_VARIABLE not in os.environ and not socket_path.parent.exists()


def test_without_a_process_started_ahead_fukan_dbt_runs_dbt_itself(tmp_path: Path) -> None:
    environment = {**os.environ, SERVER_VARIABLE: str(tmp_path / "nothing-listens.sock")}
    refused = _run("build", "--no-such-option", env=environment)
    assert refused.returncode == 2 and "no-such-option" in refused.stderr
