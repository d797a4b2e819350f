"""The dbt project as Dagster sees it, and the manifest it needs before anything loads.

dagster-dbt reads `target/manifest.json` when the dbt assets are defined, so this module
is kept apart from them. The code location (`orchestration.definitions.defs`) calls
`ensure_manifest()` before defining them, which makes a fresh checkout load without a
manual `dbt parse` and picks up edited models whenever the code location (re)loads.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

import yaml
from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from orchestration import config

logger = logging.getLogger(__name__)

# Folders dbt writes into: their changes never make the manifest stale.
_GENERATED_DIRS = {"target", "logs", "dbt_packages"}


def _target_path() -> Path:
    """dbt's target folder, relative to the dbt project unless absolute (env DBT_TARGET_PATH)."""
    return Path(os.environ.get("DBT_TARGET_PATH", "target"))


def dbt_executable() -> str:
    """The dbt beside this interpreter, so `.venv/bin/fukan run` works without an activated
    venv: `fukan-dbt` (dbt's command line, quicker: orchestration/dbt_entry.py)
    when installed, else dbt's own."""
    for name in ("fukan-dbt", "dbt"):
        beside = Path(sys.executable).parent / name
        if beside.exists():
            return str(beside)
    return shutil.which("dbt") or "dbt"


DBT_PROJECT = DbtProject(project_dir=config.DBT_PROJECT_DIR, target_path=_target_path())


def kpi_definition_version(project: DbtProject = DBT_PROJECT) -> str:
    """The KPI marts' definition version (dbt var `kpi_definition_version`): what a published
    number meant, recorded beside it in the manifest."""
    settings = yaml.safe_load((Path(project.project_dir) / "dbt_project.yml").read_text(encoding="utf-8"))
    return str(settings["vars"]["kpi_definition_version"])


def build_target_path(project: DbtProject = DBT_PROJECT) -> Path:
    """Where every dbt command of the pipeline writes: `dbt parse` when the code location
    loads, each refresh's `dbt build`, and the docs' partial parse state.

    One fixed folder instead of dagster-dbt's folder per invocation: it stays bounded on
    a daily schedule, the last build's `run_results.json` has a known place, and dbt's
    partial parse state carries over from the parse to the build and from one build to
    the next. That state is only valid for the same profile, so every command points the
    profile at the same warehouse (`warehouse_environment`). Two refreshes of one
    warehouse never overlap (orchestration/warehouse_lock.py); a deployment refreshes
    one warehouse.
    """
    return project.project_dir / project.target_path


@contextmanager
def warehouse_environment(warehouse: Path) -> Iterator[None]:
    """Point dbt's profile (env FUKAN_WAREHOUSE, absolute) at `warehouse` while dbt starts.

    DbtCliResource copies `os.environ` into the dbt subprocess when it starts it, so the
    variable only needs to hold while `dbt.cli(...)` is called.
    """
    previous = os.environ.get("FUKAN_WAREHOUSE")
    os.environ["FUKAN_WAREHOUSE"] = str(Path(warehouse).resolve())
    try:
        yield
    finally:
        if previous is None:
            del os.environ["FUKAN_WAREHOUSE"]
        else:
            os.environ["FUKAN_WAREHOUSE"] = previous


class FukanDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI without the two costs a subprocess build does not need.

    Before each command DbtCliResource runs `dbt --version` in a subprocess (it imports
    every adapter) and opens a dbt adapter in this process, which only
    `fetch_row_counts()` and `fetch_column_metadata()` use. The version is read from the
    installed package instead (the dbt beside this interpreter, `dbt_executable`), and no
    adapter is opened: the assets call neither method. Both are private methods:
    tests/test_orchestration_private_apis.py fails when dagster-dbt changes them.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:  # type: ignore[override]
        return None


def dbt_source_files() -> list[Path]:
    """Every file whose change can change the manifest: SQL, YAML, macros, tests, seeds."""
    files: list[Path] = []
    for root in (config.DBT_PROJECT_DIR, config.SEEDS_DIR):
        for folder, subfolders, names in os.walk(root):
            if folder == str(root) and root == config.DBT_PROJECT_DIR:
                # Not walked at all: the build's target holds thousands of compiled files.
                subfolders[:] = [name for name in subfolders if name not in _GENERATED_DIRS]
            files.extend(Path(folder, name) for name in names)
    return files


def changed_since(timestamp: float) -> list[Path]:
    """Files of the dbt project modified after `timestamp` (a manifest's mtime)."""
    return [path for path in dbt_source_files() if path.stat().st_mtime > timestamp]


def manifest_is_stale(project: DbtProject = DBT_PROJECT) -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    manifest = project.manifest_path
    return not manifest.exists() or bool(changed_since(manifest.stat().st_mtime))


def dbt_cli() -> FukanDbtCliResource:
    """dbt as a subprocess (never dbtRunner in this process: it keeps DuckDB locked)."""
    return FukanDbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())


def ensure_manifest(project: DbtProject = DBT_PROJECT, *, force: bool = False) -> Path:
    """Run `dbt parse` (a subprocess) when the manifest is missing or stale, or `force`.

    It parses for the warehouse of this environment (FUKAN_WAREHOUSE), so the next
    `dbt build` on that warehouse starts from its partial parse state. dbt ties that
    state to the profile, which names the warehouse file: `force` prepares it for a
    warehouse other than the one parsed for last (the benchmark's fresh warehouses).
    """
    if force or manifest_is_stale(project):
        logger.info("Preparing the dbt manifest at %s (dbt parse)", project.manifest_path)
        with warehouse_environment(config.warehouse_path()):
            dbt_cli().cli(["parse", "--quiet"], target_path=build_target_path(project)).wait()
    return project.manifest_path
