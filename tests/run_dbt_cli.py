"""dbt as the tests run it: a subprocess on one warehouse file, with its own target folder.

Not named `dbt_*`: dbt imports every top-level module of that prefix on sys.path as a
possible plugin, so an in-process dbt run (test_dbt_macros) would import this module,
and `orchestration.dbt_project` with it, under that test's DBT_TARGET_PATH.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from orchestration import config
from orchestration.dbt_project import dbt_executable

# Seeds and models only: what a test needs built, without re-running the data tests.
MODELS_AND_SEEDS = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


def run_dbt(arguments: list[str], warehouse: Path, target: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "FUKAN_WAREHOUSE": str(warehouse), "DBT_TARGET_PATH": str(target)}
    done = subprocess.run(
        [
            dbt_executable(),
            *arguments,
            "--project-dir",
            str(config.DBT_PROJECT_DIR),
            "--profiles-dir",
            str(config.DBT_PROJECT_DIR),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"dbt {' '.join(arguments)} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    return done
