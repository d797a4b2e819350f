"""The publish protocol on its own: what a version holds, and crash safety.

A publishing process is stopped at a named point (FUKAN_PUBLISH_PAUSE_AT) and killed
with SIGKILL there: the live version is then the old one or, past the pointer swap, the
new one (never a mix, report and docs included), and the next publish cleans up and
succeeds without help.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from publish_fixtures import Sandbox, tree_digest

from orchestration import config
from orchestration.publish import current_build_id, read_manifest, recover
from orchestration.publish.layout import DBT_DOCS, ENTRY_LINKS, PAUSE_ENV, REPORTS, TMP_PREFIX, VERSIONS
from orchestration.report.dbt_docs import FINGERPRINT_FILE
from orchestration.report.pages import publish_with_pages

# What the publish step runs: the version with its report and docs.
_PUBLISH = (
    "import sys; from pathlib import Path; from orchestration.report.pages import publish_with_pages; "
    "publish_with_pages(Path(sys.argv[1]), Path(sys.argv[2]), run_id=sys.argv[3], checks={})"
)


@pytest.fixture(scope="module")
def published_once(built_warehouse, tmp_path_factory) -> Sandbox:
    sandbox = Sandbox(built_warehouse.warehouse, built_warehouse.dagster_home).copy(tmp_path_factory.mktemp("publish"))
    if read_manifest(sandbox.published) is None:
        publish_with_pages(sandbox.warehouse, sandbox.published, run_id="firstpub", checks={})
    return sandbox


def _live_version(published: Path) -> dict[str, str]:
    """Digest of what readers see: the files of the version `current` points to."""
    return tree_digest(published / VERSIONS / current_build_id(published))


def _report_build_ids(published: Path) -> set[str]:
    """The build each report page people open (the stable names) says it shows."""
    return {
        re.search(r'<meta name="fukan-build-id" content="([^"]+)">', (published / name).read_text(encoding="utf-8"))[1]
        for name in REPORTS.values()
    }


def test_a_version_holds_the_marts_as_duckdb_and_parquet_with_its_manifest(published_once: Sandbox) -> None:
    published = published_once.published
    manifest = read_manifest(published)
    assert json.loads((published / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert {name.split(".")[0] for name in manifest["tables"]} == {"kpi", "marts"}
    assert "kpi.kpi_funnel_overview" in manifest["tables"] and "marts.fct_leads" in manifest["tables"]
    with duckdb.connect(str(published / "fukan.duckdb"), read_only=True) as con:
        stored = json.loads(con.execute("select manifest_json from publish.manifest").fetchone()[0])
        assert stored == manifest
        for name, table in manifest["tables"].items():
            assert con.execute(f"select count(*) from {name}").fetchone()[0] == table["rows"]
            parquet = published / table["parquet"]
            assert con.execute("select count(*) from read_parquet(?)", [str(parquet)]).fetchone()[0] == table["rows"]
        comment = con.execute("select comment from duckdb_tables() where table_name = 'fct_leads'").fetchone()[0]
        assert comment and "Grain" in comment  # the dbt descriptions travel with the tables


def _killed_at(stage: str, sandbox: Sandbox) -> None:
    """Start a publish in another process, wait until it reaches `stage`, SIGKILL it."""
    process = subprocess.Popen(
        [sys.executable, "-c", _PUBLISH, str(sandbox.warehouse), str(sandbox.published), f"killed-{stage}"],
        env={**os.environ, PAUSE_ENV: stage},
        cwd=config.PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == f"publish paused at {stage}"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


@pytest.mark.parametrize(
    ("stage", "live_after_kill"),
    [
        ("tables_copied", "old"),
        ("before_swap", "old"),
        ("after_swap", "new"),
    ],
)
def test_a_publish_killed_midway_leaves_old_or_new_and_the_next_one_recovers(
    published_once: Sandbox, tmp_path: Path, stage: str, live_after_kill: str
) -> None:
    sandbox = published_once.copy(tmp_path)
    old_build, old_files = current_build_id(sandbox.published), _live_version(sandbox.published)
    _killed_at(stage, sandbox)

    live = read_manifest(sandbox.published)
    if live_after_kill == "old":
        assert live["build_id"] == old_build and _live_version(sandbox.published) == old_files
    else:
        assert live["build_id"] != old_build and live["run_id"] == f"killed-{stage}"
    with duckdb.connect(str(sandbox.published / "fukan.duckdb"), read_only=True) as con:
        assert con.execute("select build_id from publish.manifest").fetchone()[0] == live["build_id"]
    assert _report_build_ids(sandbox.published) == {live["build_id"]}, "the report shows another build than the data"
    assert (sandbox.published / DBT_DOCS / "index.html").exists()

    result, _ = publish_with_pages(sandbox.warehouse, sandbox.published, run_id="recovers", checks={})
    assert current_build_id(sandbox.published) == result.build_id
    assert _report_build_ids(sandbox.published) == {result.build_id}
    versions = sorted(p.name for p in (sandbox.published / VERSIONS).iterdir())
    assert versions == sorted({result.build_id, live["build_id"]})  # the live one and the one it replaced
    assert not any(p.name.startswith(TMP_PREFIX) for p in sandbox.published.rglob("*"))


def test_a_publish_on_unchanged_definitions_links_the_docs_of_the_live_version(
    published_once: Sandbox, tmp_path: Path
) -> None:
    sandbox = published_once.copy(tmp_path)
    previous = sandbox.published / VERSIONS / current_build_id(sandbox.published) / DBT_DOCS
    result, docs_generated = publish_with_pages(sandbox.warehouse, sandbox.published, run_id="samedefs", checks={})

    assert not docs_generated
    docs = result.version_dir / DBT_DOCS
    for name in ("index.html", "manifest.json", "catalog.json", FINGERPRINT_FILE):
        assert os.path.samefile(docs / name, previous / name), name  # hard links: no copy, no dbt run
    assert _report_build_ids(sandbox.published) == {result.build_id}


def test_pages_written_beside_the_versions_move_into_the_live_one(published_once: Sandbox, tmp_path: Path) -> None:
    """A published folder of a release that wrote the report and docs outside the versions
    keeps them, inside the live version, at its first publish with versioned pages."""
    sandbox = published_once.copy(tmp_path)
    published = sandbox.published
    live = published / VERSIONS / current_build_id(published)
    for name in (*REPORTS.values(), DBT_DOCS):
        (published / name).unlink()
        shutil.move(live / name, published / name)
    legacy = tree_digest(published / DBT_DOCS) | {name: tree_digest(published)[name] for name in REPORTS.values()}

    recover(published)

    assert all((published / name).is_symlink() for name in ENTRY_LINKS)
    assert tree_digest(live / DBT_DOCS) | {name: tree_digest(live)[name] for name in REPORTS.values()} == legacy
    assert _report_build_ids(published) == {current_build_id(published)}
