"""`dbt docs generate` of the published copy, written to `published/dbt_docs/`, so analysts
can browse every KPI definition, its columns and its lineage next to the marts.

The catalog is read from the published DuckDB file through a throw-away profile that
opens it read-only (DuckDB `access_mode`), so BI readers of the same file are never
locked out and the working warehouse is never touched. `index.html` is dbt's single-file
`--static` page (manifest and catalog inlined): it opens from a file share or a double
click, where the plain page cannot fetch its JSON files. `manifest.json` and
`catalog.json` are published too, for tools that read dbt artifacts.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml

from orchestration import config
from orchestration.dbt_project import DBT_PROJECT, dbt_executable
from orchestration.publish.layout import DATABASE
from orchestration.report.files import write_atomically

DOCS_DIR = "dbt_docs"
# dbt's output name -> published name
_ARTIFACTS = {"static_index.html": "index.html", "manifest.json": "manifest.json", "catalog.json": "catalog.json"}
PROFILE = "fukan"
# The definitions fingerprint (orchestration/build_state.py) the docs were generated from.
FINGERPRINT_FILE = ".definitions_fingerprint"


def read_only_profile(database: Path) -> dict:
    """A dbt profile on one DuckDB file, opened read-only."""
    return {
        PROFILE: {
            "target": "published",
            "outputs": {
                "published": {
                    "type": "duckdb",
                    "path": str(database),
                    "config_options": {"access_mode": "READ_ONLY"},
                    "threads": 2,
                    "settings": {"TimeZone": "UTC"},
                }
            },
        }
    }


def docs_target_path() -> Path:
    """dbt's target folder for these docs: a fixed one (git-ignored, beside the build's), so
    dbt's partial parse state carries over and a docs run does not re-parse the project."""
    return DBT_PROJECT.project_dir / DBT_PROJECT.target_path / "published_docs"


def _run_dbt(arguments: list[str], database: Path) -> None:
    done = subprocess.run([dbt_executable(), *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"dbt {arguments[0]} failed while documenting {database} (exit {done.returncode}):\n"
            f"{done.stdout}{done.stderr}"
        )


def generate_dbt_docs(published_dir: Path, manifest: Path, fingerprint: str) -> tuple[Path, bool]:
    """Document the live published version in `published_dir/dbt_docs/`; return that folder
    and whether the docs were generated (False: the definitions are those already documented).

    The docs are a function of the definitions alone (the catalog holds columns, types and
    comments, no statistics), so a refresh on unchanged definitions keeps them. `manifest`
    is the refresh's own `dbt build` manifest of the same project, which saves a `dbt parse`;
    `docs generate --no-compile` adds the catalog: compiling ~800 nodes (tests included)
    only to show compiled SQL would double the time, and the definitions are the models'
    own SQL. The profile names the stable link `published/fukan.duckdb`, which keeps
    dbt's partial parse valid from one publish to the next; dbt-duckdb opens the file
    once per run, so the catalog still describes one version.
    """
    published_dir = Path(published_dir)
    out = published_dir / DOCS_DIR
    stamp = out / FINGERPRINT_FILE
    if stamp.exists() and stamp.read_text(encoding="utf-8") == fingerprint:
        return out, False
    database = published_dir.absolute() / DATABASE
    if not database.exists():
        raise FileNotFoundError(f"No published copy at {database}: nothing to document.")
    target = docs_target_path()
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(manifest, target / "manifest.json")
    with tempfile.TemporaryDirectory(prefix="fukan-dbt-docs-") as scratch:
        profiles = Path(scratch)
        (profiles / "profiles.yml").write_text(yaml.safe_dump(read_only_profile(database)), encoding="utf-8")
        options = ["--quiet", "--project-dir", str(config.DBT_PROJECT_DIR), "--profiles-dir", str(profiles),
                   "--target-path", str(target), "--log-path", str(profiles / "logs")]
        _run_dbt(["docs", "generate", "--static", "--no-compile", *options], database)
    for produced, published in _ARTIFACTS.items():
        write_atomically(out / published, (target / produced).read_text(encoding="utf-8"))
    write_atomically(stamp, fingerprint)
    return out, True
