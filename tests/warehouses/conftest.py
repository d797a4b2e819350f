"""The comparison harness: the same demo extracts built by every engine of
``engines.ENGINES``, each once per session, and torn down at the end (the PostgreSQL
cluster is stopped even when a build or a test fails).

Runs with ``make test-warehouses`` (marker ``warehouses``). The normal suite loads this
conftest but collects none of these tests, so the harness modules are imported inside
the hooks and fixtures that use them, not here.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from _pytest.mark.expression import Expression

if TYPE_CHECKING:
    from engines import Reader
    from pg_cluster import PostgresCluster

# Besides every kpi_ mart: the core facts and dimensions they are built from.
CORE_SCHEMA = "marts"
KPI_SCHEMA = "kpi"


def compared_tables() -> list[tuple[str, str]]:
    """(schema, table) of every model in the kpi schema and every fct_/dim_ of the core
    marts, from the dbt manifest (not a hand-kept list)."""
    from orchestration.dbt_project import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text())
    tables = sorted(
        (node["schema"], node["alias"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and (
            node["schema"] == KPI_SCHEMA
            or (node["schema"] == CORE_SCHEMA and node["name"].startswith(("fct_", "dim_")))
        )
    )
    assert any(schema == KPI_SCHEMA for schema, _ in tables), "the manifest has no kpi model"
    return tables


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Collect these tests only when the run selects the warehouses marker: the normal
    suite (`-m 'not warehouses'`) neither imports them (they need the warehouses extra)
    nor parses the dbt project for their parameters."""
    selects_warehouses = Expression.compile(config.getoption("markexpr") or "warehouses").evaluate(
        lambda name, **_: name == "warehouses"
    )
    return None if selects_warehouses else collection_path.name.startswith("test_")


# Engines whose compiled SQL is searched for DuckDB-only functions. Not Spark: Spark SQL
# has datediff, date_add, split and regexp_extract itself (dbt's own spark__ macros emit
# them), so the search says nothing there; its rows matching DuckDB's does.
GREPPED_ENGINES = ["postgres"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    from engines import ENGINES, REFERENCE

    if "engine" in metafunc.fixturenames:
        metafunc.parametrize("engine", [name for name in ENGINES if name != REFERENCE], scope="session")
    if "grepped_engine" in metafunc.fixturenames:
        metafunc.parametrize("grepped_engine", GREPPED_ENGINES, scope="session")
    if "any_engine" in metafunc.fixturenames:
        metafunc.parametrize("any_engine", list(ENGINES), scope="session")
    if "compared_table" in metafunc.fixturenames:
        tables = compared_tables()
        metafunc.parametrize("compared_table", tables, ids=[f"{s}.{t}" for s, t in tables])


@pytest.fixture(scope="session", autouse=True)
def teardown_on_sigterm() -> Iterator[None]:
    """A SIGTERM (CI timeout, `kill`) ends the session like Ctrl-C, so fixtures finalise
    and no PostgreSQL server outlives the tests."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    yield
    signal.signal(signal.SIGTERM, previous)


class Builds:
    """Each engine built on first use, once; a failed build fails every test that needs
    it with the build's error, without building again."""

    def __init__(self, landing: Path, root: Path) -> None:
        self.landing, self.root = landing, root
        self.readers: dict[str, Reader] = {}
        self.errors: dict[str, BaseException] = {}
        self.summary: list[str] = []  # one line per engine build, for the terminal summary

    def __getitem__(self, name: str) -> Reader:
        if name in self.errors:
            raise RuntimeError(f"the {name} build failed earlier") from self.errors[name]
        if name not in self.readers:
            workdir = self.root / name
            workdir.mkdir()
            started = time.monotonic()
            try:
                from engines import ENGINES

                self.readers[name] = ENGINES[name](self.landing, workdir)
            except BaseException as error:
                self.errors[name] = error
                self.summary.append(f"{name}: build FAILED after {time.monotonic() - started:.0f} s: {error}"[:300])
                raise
            reader = self.readers[name]
            self.summary.append(
                f"{name}: built in {time.monotonic() - started:.0f} s "
                f"(ingest + {reader.build_summary}); artifacts in {workdir}"
            )
        return self.readers[name]

    def close(self) -> None:
        for reader in self.readers.values():
            reader.close()


BUILD_SUMMARY = pytest.StashKey[list[str]]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(BUILD_SUMMARY, [])
    if lines:
        terminalreporter.section("warehouse builds")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def builds(
    demo_landing: Path, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[Builds]:
    built = Builds(demo_landing, tmp_path_factory.mktemp("warehouses"))
    pytestconfig.stash[BUILD_SUMMARY] = built.summary
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A cluster of its own for the ingestion tests (the postgres engine build has another)."""
    from pg_cluster import PostgresCluster

    with PostgresCluster.start() as cluster:
        yield cluster


@pytest.fixture
def postgres_env(
    postgres_cluster: PostgresCluster, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """A fresh database on the session cluster, named after the test, as FUKAN_PG_*."""
    database = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    postgres_cluster.create_database(database)
    env = {**postgres_cluster.env(), "FUKAN_PG_DATABASE": database}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env
