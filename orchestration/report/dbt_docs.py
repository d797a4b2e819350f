"""`dbt docs generate` of the warehouse a refresh publishes, written into the new
version's `dbt_docs/` (`published/dbt_docs/` once it is live), so analysts can browse
every KPI definition, its columns and its lineage next to the marts they describe.

dbt runs with the refresh's own profile on the working warehouse (the step takes the
warehouse pool) and starts from the build's manifest and partial parse state, so it
only adds the catalog: a profile of its own would make dbt parse the whole project
again (about 20 s). `index.html` is dbt's single-file `--static` page (manifest and
catalog inlined): it opens from a file share or a double click, where the plain page
cannot fetch its JSON files. `manifest.json` and `catalog.json` are published too, for
tools that read dbt artifacts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from orchestration import config
from orchestration.dbt_project import build_target_path, dbt_executable, warehouse_environment
from orchestration.publish.layout import DBT_DOCS
from orchestration.report.files import write_atomically

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


def docs_are_current(folder: Path, fingerprint: str) -> bool:
    """Whether `folder` (a published folder or one version) holds docs of the definitions
    with this fingerprint."""
    stamp = Path(folder) / DBT_DOCS / FINGERPRINT_FILE
    return stamp.exists() and stamp.read_text(encoding="utf-8") == fingerprint


def generate_dbt_docs(version_dir: Path, warehouse: Path, fingerprint: str, published: Path) -> tuple[Path, bool]:
    """Document the warehouse being published in `version_dir/dbt_docs/`; return that
    folder and whether the docs were generated (False: the live version in `published`
    documents the same definitions, and its files are linked instead).

    The docs are a function of the definitions alone (the catalog holds columns, types and
    comments, no statistics), so a refresh on unchanged definitions keeps them: hard links,
    since a published file is never written in place. `docs generate --no-compile` adds
    the catalog to the build's manifest: compiling ~800 nodes (tests included) only to
    show compiled SQL would double the time, and the definitions are the models' own SQL.
    """
    out = Path(version_dir) / DBT_DOCS
    if docs_are_current(published, fingerprint):
        shutil.copytree((Path(published) / DBT_DOCS).resolve(), out, copy_function=os.link)
        return out, False
    target = docs_target_path()
    target.mkdir(parents=True, exist_ok=True)
    for state in _BUILD_STATE:
        if (build_target_path() / state).exists():
            shutil.copyfile(build_target_path() / state, target / state)
    options = [
        "--quiet",
        "--project-dir",
        str(config.DBT_PROJECT_DIR),
        "--profiles-dir",
        str(config.DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
    ]
    _run_dbt(["docs", "generate", "--static", "--no-compile", *options], warehouse)
    for produced, published_name in _ARTIFACTS.items():
        write_atomically(out / published_name, (target / produced).read_text(encoding="utf-8"))
    write_atomically(out / FINGERPRINT_FILE, fingerprint)
    return out, True
