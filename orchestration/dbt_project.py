"""The dbt project as Dagster sees it, and the manifest it needs before anything loads.

dagster-dbt reads `target/manifest.json` when the dbt assets are defined, so this module
is kept apart from them (STACK_NOTES). `build_definitions()` calls `ensure_manifest()`
before defining them, which makes a fresh checkout load without a manual `dbt parse` and
picks up edited models whenever the code location (re)loads.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from orchestration import config

logger = logging.getLogger(__name__)

# Folders dbt writes into: their changes never make the manifest stale.
_GENERATED_DIRS = {"target", "logs", "dbt_packages"}


def _target_path() -> Path:
    """dbt's target folder, relative to the dbt project unless absolute (env DBT_TARGET_PATH)."""
    return Path(os.environ.get("DBT_TARGET_PATH", "target"))


def dbt_executable() -> str:
    """The dbt beside this interpreter, so `.venv/bin/fukan run` works without an activated venv."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else shutil.which("dbt") or "dbt"


DBT_PROJECT = DbtProject(project_dir=config.DBT_PROJECT_DIR, target_path=_target_path())


def build_target_path(project: DbtProject = DBT_PROJECT) -> Path:
    """Where every `dbt build` of the pipeline writes its artifacts.

    One fixed folder instead of dagster-dbt's folder per invocation: the target folder
    stays bounded on a daily schedule, the last build's `run_results.json` has a known
    place, and dbt's partial parse state (which depends on the warehouse path in the
    profile) carries over from one build to the next. Builds never overlap: they run
    in the warehouse pool.
    """
    return project.project_dir / project.target_path / "dagster_build"


def dbt_cli() -> DbtCliResource:
    """dbt as a subprocess (never dbtRunner in this process: it keeps DuckDB locked)."""
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=dbt_executable())


def dbt_source_files() -> list[Path]:
    """Every file whose change can change the manifest: SQL, YAML, macros, tests, seeds."""
    files: list[Path] = []
    for root in (config.DBT_PROJECT_DIR, config.SEEDS_DIR):
        if not root.exists():
            continue
        for path in root.rglob("*"):
            relative = path.relative_to(root).parts
            if path.is_file() and not (root == config.DBT_PROJECT_DIR and relative[0] in _GENERATED_DIRS):
                files.append(path)
    return files


def changed_since(timestamp: float) -> list[Path]:
    """Files of the dbt project modified after `timestamp` (a manifest's mtime)."""
    return [path for path in dbt_source_files() if path.stat().st_mtime > timestamp]


def manifest_is_stale(project: DbtProject = DBT_PROJECT) -> bool:
    """True when the manifest is missing or older than any file of the dbt project."""
    manifest = project.manifest_path
    return not manifest.exists() or bool(changed_since(manifest.stat().st_mtime))


def ensure_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """Run `dbt parse` (a subprocess, about 10 s) only when the manifest is missing or stale."""
    if manifest_is_stale(project):
        logger.info("Preparing the dbt manifest at %s (dbt parse)", project.manifest_path)
        dbt_cli().cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return project.manifest_path
