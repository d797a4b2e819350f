"""`fukan-dbt`, the dbt command line the pipeline runs: dbt's own, exit codes included."""
from __future__ import annotations

import subprocess
from pathlib import Path

from orchestration.dbt_project import dbt_executable


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([dbt_executable(), *arguments], capture_output=True, text=True, timeout=300)


def test_the_pipeline_runs_dbt_through_fukan_dbt() -> None:
    assert Path(dbt_executable()).name == "fukan-dbt"


def test_fukan_dbt_is_dbt_and_passes_its_exit_code_through() -> None:
    shown = _run("--help")
    assert shown.returncode == 0 and "An ELT tool for managing your SQL transformations" in shown.stdout
    # A dbt failure exits the same way (click's SystemExit); test_quality_gate fails a build.
    refused = _run("build", "--no-such-option")
    assert refused.returncode == 2 and "no-such-option" in refused.stderr
