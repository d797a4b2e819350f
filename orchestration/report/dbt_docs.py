"""`dbt docs generate` of the warehouse a refresh just published, written to
`published/dbt_docs/`, so analysts can browse every KPI definition, its columns and its
lineage next to the marts.

dbt runs with the refresh's own profile on the working warehouse (the step takes the
warehouse pool) and starts from the build's manifest and partial parse state, so it
only adds the catalog: a profile of its own would make dbt parse the whole project
again (about 20 s). `index.html` is dbt's single-file `--static` page (manifest and
catalog inlined): it opens from a file share or a double click, where the plain page
cannot fetch its JSON files. `manifest.json` and `catalog.json` are published too, for
tools that read dbt artifacts.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from orchestration import config
from orchestration.dbt_project import build_target_path, dbt_executable, warehouse_environment
from orchestration.report.files import write_atomically

DOCS_DIR = "dbt_docs"
# dbt's output name -> published name
_ARTIFACTS = {"static_index.html": "index.html", "manifest.json": "manifest.json", "catalog.json": "catalog.json"}
# What the build leaves that spares dbt a parse of the project.
_BUILD_STATE = ("manifest.json", "partial_parse.msgpack")
# The definitions fingerprint (orchestration/build_state.py) the docs were generated from.
FINGERPRINT_FILE = ".definitions_fingerprint"


def docs_target_path() -> Path:
    """dbt's target folder for these docs: a fixed one (git-ignored) inside the build's."""
    return build_target_path() / "published_docs"


def _run_dbt(arguments: list[str], warehouse: Path) -> None:
    with warehouse_environment(warehouse):  # the build's profile
        done = subprocess.run([dbt_executable(), *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"dbt {arguments[0]} failed while documenting {warehouse} (exit {done.returncode}):\n"
            f"{done.stdout}{done.stderr}"
        )


def docs_are_current(published_dir: Path, fingerprint: str) -> bool:
    """Whether `published_dir` holds docs of the definitions with this fingerprint."""
    stamp = Path(published_dir) / DOCS_DIR / FINGERPRINT_FILE
    return stamp.exists() and stamp.read_text(encoding="utf-8") == fingerprint


def generate_dbt_docs(published_dir: Path, warehouse: Path, fingerprint: str) -> tuple[Path, bool]:
    """Document the warehouse just published in `published_dir/dbt_docs/`; return that
    folder and whether the docs were generated (False: the definitions are those already
    documented).

    The docs are a function of the definitions alone (the catalog holds columns, types and
    comments, no statistics), so a refresh on unchanged definitions keeps them.
    `docs generate --no-compile` adds the catalog to the build's manifest: compiling ~800
    nodes (tests included) only to show compiled SQL would double the time, and the
    definitions are the models' own SQL.
    """
    out = Path(published_dir) / DOCS_DIR
    if docs_are_current(published_dir, fingerprint):
        return out, False
    target = docs_target_path()
    target.mkdir(parents=True, exist_ok=True)
    for state in _BUILD_STATE:
        if (build_target_path() / state).exists():
            shutil.copyfile(build_target_path() / state, target / state)
    options = ["--quiet", "--project-dir", str(config.DBT_PROJECT_DIR), "--profiles-dir", str(config.DBT_PROJECT_DIR),
               "--target-path", str(target), "--log-path", str(target / "logs")]
    _run_dbt(["docs", "generate", "--static", "--no-compile", *options], warehouse)
    for produced, published in _ARTIFACTS.items():
        write_atomically(out / published, (target / produced).read_text(encoding="utf-8"))
    write_atomically(out / FINGERPRINT_FILE, fingerprint)
    return out, True
