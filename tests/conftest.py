"""Session fixtures everyone shares: demo extracts, and one warehouse built through Dagster.

Building the warehouse is the slow part of the suite, so it happens once per session;
tests that only read use `built_warehouse`, tests that break things build their own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Fixtures of their own modules, offered to every test module.
from ingest_fixtures import sandbox  # noqa: F401
from report_fixtures import published_copy  # noqa: F401

DEMO_LEADS = 3000
DEMO_SEED = 7


@dataclass(frozen=True)
class BuiltWarehouse:
    """A warehouse refreshed by `run_pipeline`, and where its inputs and run history are."""

    landing: Path  # a private copy of the demo extracts
    warehouse: Path  # the DuckDB file
    dagster_home: Path  # the Dagster instance that holds the run
    exit_code: int  # what `fukan run` would have exited with (0 = every step and check passed)


@pytest.fixture(scope="session")
def dagster_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder for the tests' Dagster instances, on tmpfs when there is one.

    Dagster's SQLite storage opens, writes and checkpoints a database file for every
    event, about 800 per refresh; on tmpfs that takes a fifth of the time it takes on disk.
    """
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        with tempfile.TemporaryDirectory(dir=shm, prefix="fukan-dagster-") as folder:
            yield Path(folder)
    else:
        yield tmp_path_factory.mktemp("dagster_homes")


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small generated extracts (3000 leads, seed 7). Read-only: copy before changing."""
    from orchestration.demo_data import generate

    landing = tmp_path_factory.mktemp("demo_landing")
    generate(landing, leads=DEMO_LEADS, seed=DEMO_SEED, progress=False)
    return landing


@pytest.fixture(scope="session")
def built_warehouse(
    demo_landing: Path, dagster_homes: Path, tmp_path_factory: pytest.TempPathFactory
) -> BuiltWarehouse:
    """The demo extracts loaded, built and checked by one `run_pipeline` in a temporary DAGSTER_HOME."""
    from orchestration.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("built_warehouse")
    landing = root / "landing"
    shutil.copytree(demo_landing, landing)
    warehouse = root / "warehouse" / "fukan.duckdb"
    home = dagster_homes / "built_warehouse"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home))
        exit_code = run_pipeline(landing, warehouse, progress=False)
    return BuiltWarehouse(landing=landing, warehouse=warehouse, dagster_home=home, exit_code=exit_code)
