"""Each BI recipe of docs/bi.md, run exactly as documented against a published copy that a
publisher in another process keeps republishing meanwhile: zero errors, every time.

The recipes are read from docs/bi.md, so the documented text is what runs. Paths in them are
relative to the repository, or under /srv/fukan for server tools; the test runs them in a
deployment folder of its own. Evidence's and Metabase's connectors (DuckDB 1.4 inside Node
and Java) cannot be installed and run here: their recipes run on the DuckDB 1.5 CLI instead,
opening the file their settings name read-only, one process per query as those tools do.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb1
import pytest
import yaml

from orchestration import config
from orchestration.publish import publish
from orchestration.publish.layout import current_build_id

SERVER_ROOT = "/srv/fukan"
RECIPE = re.compile(r"<!-- bi-recipe: ([\w-]+) -->\s*```(\w+)\n(.*?)```", re.S)
PUBLISH_LOOP = """
import sys, uuid
from pathlib import Path
from orchestration.publish import publish
source, published, stop = map(Path, sys.argv[1:])
while not stop.exists():
    publish(source, published, run_id=uuid.uuid4().hex, checks={})
"""
SWAPS = 1  # live-version switches each recipe must run through (at least)


def documented_recipes() -> dict[str, str]:
    text = (config.PROJECT_ROOT / "docs" / "bi.md").read_text(encoding="utf-8")
    return {name: code for name, _language, code in RECIPE.findall(text)}


RECIPES = documented_recipes()


@dataclass(frozen=True)
class Deployment:
    root: Path  # stands for the repository (relative paths) and for /srv/fukan (server paths)
    publisher: subprocess.Popen

    @property
    def published(self) -> Path:
        return self.root / "warehouse" / "published"


@pytest.fixture(scope="module")
def deployment(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """A repository-like folder whose `warehouse/published` is republished in a loop by
    another process, from a copy of the session's built warehouse (a refresh's publish step)."""
    assert built_warehouse.exit_code == 0
    root = tmp_path_factory.mktemp("deployment")
    source = root / "built.duckdb"
    shutil.copyfile(built_warehouse.warehouse, source)
    published = root / "warehouse" / "published"
    publish(source, published, run_id="recipes0", checks={})
    stop = root / "stop-publishing"
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISH_LOOP, str(source), str(published), str(stop)],
        cwd=config.PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield Deployment(root, publisher)
    finally:
        stop.touch()
        _, errors = publisher.communicate(timeout=180)
    assert publisher.returncode == 0, f"the publisher failed:\n{errors}"


def _while_republished(deployment: Deployment, run_once: Callable[[], None], timeout: float = 150) -> int:
    """Run a recipe again and again until the live version has switched SWAPS times."""
    seen = {current_build_id(deployment.published)}
    runs = 0
    deadline = time.monotonic() + timeout
    while len(seen) <= SWAPS:
        run_once()
        runs += 1
        seen.add(current_build_id(deployment.published))
        assert deployment.publisher.poll() is None, f"the publisher died:\n{deployment.publisher.stderr.read()}"
        assert time.monotonic() < deadline, f"only {len(seen) - 1} publishes in {timeout} s"
    return runs


def _python(code: str, deployment: Deployment) -> Callable[[], None]:
    def run_once() -> None:
        printed = io.StringIO()
        with contextlib.chdir(deployment.root), contextlib.redirect_stdout(printed):
            exec(compile(code, "<recipe>", "exec"), {"__name__": "__recipe__"})
        assert printed.getvalue().strip(), "the recipe printed nothing"

    return run_once


def _on_server(sql: str, deployment: Deployment) -> str:
    return sql.replace(SERVER_ROOT, str(deployment.root))


def test_every_recipe_is_documented() -> None:
    assert set(RECIPES) == {
        "duckdb-python",
        "duckdb-cli",
        "sqlalchemy",
        "evidence-link",
        "evidence-connection",
        "evidence-query",
        "metabase-settings",
        "metabase-query",
        "parquet",
    }


@pytest.mark.parametrize("name", ["duckdb-python", "sqlalchemy", "parquet"])
def test_python_recipe_while_republishing(name: str, deployment: Deployment) -> None:
    assert _while_republished(deployment, _python(RECIPES[name], deployment)) > SWAPS


def test_duckdb_cli_recipe_while_republishing(deployment: Deployment) -> None:
    assert duckdb1.CLI.exists(), "the DuckDB CLI is a dev dependency (duckdb-cli)"
    env = {**os.environ, "PATH": f"{duckdb1.CLI.parent}{os.pathsep}{os.environ['PATH']}"}

    def run_once() -> None:
        done = subprocess.run(
            ["bash", "-c", RECIPES["duckdb-cli"]],
            cwd=deployment.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "attainment" in done.stdout

    assert _while_republished(deployment, run_once) > SWAPS


def test_evidence_recipe_while_republishing(deployment: Deployment) -> None:
    project = deployment.root / "evidence"  # the Evidence project the recipe runs in
    project.mkdir()
    link = subprocess.run(
        ["bash", "-c", _on_server(RECIPES["evidence-link"], deployment)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert link.returncode == 0, link.stderr
    connection = yaml.safe_load(RECIPES["evidence-connection"])
    assert connection["type"] == "duckdb"
    database = project / "sources" / connection["name"] / connection["options"]["filename"]  # relative to the source

    def run_once() -> None:  # Evidence opens a new DuckDB instance for every query
        assert duckdb1.query(database, RECIPES["evidence-query"])

    assert _while_republished(deployment, run_once) > SWAPS


def test_metabase_recipe_while_republishing(deployment: Deployment) -> None:
    settings = dict(line.split(": ", 1) for line in _on_server(RECIPES["metabase-settings"], deployment).splitlines())
    assert settings["Establish a read-only connection"] == "on"
    database = Path(settings["Database file"])

    def run_once() -> None:  # a new pooled connection, then the question
        assert len(duckdb1.query(database, RECIPES["metabase-query"])) == 12

    assert _while_republished(deployment, run_once) > SWAPS
