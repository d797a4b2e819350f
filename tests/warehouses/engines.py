"""The warehouse engines the comparison harness builds, by name.

Each entry of ``ENGINES`` is ``build(landing, workdir) -> Reader``: load the landing
folder through fukan's ingestion, run ``dbt build`` for that engine's dbt target (seeds,
models, contracts, unit and data tests; a failure raises), and return a reader of the
built tables. ``duckdb`` is the reference the others are compared with.

``postgres_incremental`` builds PostgreSQL twice, the second time incrementally, to
hold dbt's incremental path to the same comparison.

To add an engine: write its ``build`` here, returning a ``Reader`` whose
``read`` gives the table's rows as Python values, and add it to ``ENGINES``;
``test_engines_agree`` then compares it with DuckDB table by table.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd
from pg_cluster import PostgresCluster

from orchestration.config import DBT_PROJECT_DIR, PostgresSettings
from orchestration.dbt_project import dbt_executable
from orchestration.ingest import ingest_landing

# One load time for every engine: `_loaded_at` and the future-record check depend on it.
LOAD_TIME = datetime(2026, 10, 2, 9, 0, 0)


class Reader(Protocol):
    target_path: Path  # the dbt build's artifacts: manifest.json, compiled/
    build_summary: str  # one line for the session summary: time and dbt's counts

    def read(self, schema: str, table: str) -> pd.DataFrame:
        """Every row of ``schema.table`` as Python values (object columns)."""

    def dbt(self, *args: str) -> subprocess.CompletedProcess:
        """A dbt command against this build (``show --inline ...``, say)."""

    def close(self) -> None:
        """Release what the build holds (a server, a connection)."""


class BuildError(RuntimeError):
    pass


@dataclass
class DbtBuild:
    """A dbt target, the environment its profile reads, and a folder for artifacts and
    logs (never the checkout's dbt_project)."""

    engine: str
    workdir: Path
    env: dict[str, str]
    build_summary: str = field(default="not built", init=False)

    @property
    def target_path(self) -> Path:
        return self.workdir / "target"

    def dbt(self, *args: str) -> subprocess.CompletedProcess:
        command = [
            dbt_executable(),
            *args,
            "--target",
            self.engine,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(self.target_path),
            "--log-path",
            str(self.workdir / "logs"),
        ]
        return subprocess.run(command, env={**os.environ, **self.env}, capture_output=True, text=True)

    def build(self) -> None:
        """``dbt build``: seeds, models, contracts, unit and data tests; raises on any failure."""
        started = time.monotonic()
        done = self.dbt("build")
        seconds = time.monotonic() - started
        log = self.workdir / "dbt_build.log"
        log.write_text(done.stdout + done.stderr)
        summary = next(
            (line.strip() for line in reversed(done.stdout.splitlines()) if "Done. PASS=" in line), "no summary"
        )
        self.build_summary = f"dbt build {seconds:.0f} s, {summary[summary.find('Done.') :]}"
        if done.returncode != 0:
            raise BuildError(
                f"dbt build on {self.engine} failed ({summary}); log: {log}\n"
                + "\n".join(done.stdout.splitlines()[-40:])
            )


def _frame(cursor_description, rows: list[tuple]) -> pd.DataFrame:
    """Python values as the driver gave them: no NaN for None, no float for an int."""
    columns = [column[0] for column in cursor_description]
    return pd.DataFrame(
        {name: pd.Series([row[i] for row in rows], dtype=object) for i, name in enumerate(columns)}, columns=columns
    )


def read_duckdb(path: Path, schema: str, table: str) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        result = con.execute(f'select * from "{schema}"."{table}"')
        return _frame(result.description, result.fetchall())


def read_postgres(settings: PostgresSettings, schema: str, table: str) -> pd.DataFrame:
    import psycopg2

    con = psycopg2.connect(**settings.connect_kwargs(), options="-c TimeZone=UTC")
    try:
        with con.cursor() as cursor:
            cursor.execute(f'select * from "{schema}"."{table}"')
            return _frame(cursor.description, cursor.fetchall())
    finally:
        con.close()


@dataclass
class DuckDBReader(DbtBuild):
    path: Path

    def read(self, schema: str, table: str) -> pd.DataFrame:
        return read_duckdb(self.path, schema, table)

    def close(self) -> None:
        pass


def build_duckdb(landing: Path, workdir: Path) -> DuckDBReader:
    warehouse = workdir / "fukan.duckdb"
    ingest_landing(landing, warehouse, progress=False, now=LOAD_TIME).raise_for_failures()
    reader = DuckDBReader("duckdb", workdir, {"FUKAN_WAREHOUSE": str(warehouse)}, warehouse)
    reader.build()
    return reader


@dataclass
class PostgresReader(DbtBuild):
    resources: contextlib.ExitStack = field(default_factory=contextlib.ExitStack, repr=False)

    def read(self, schema: str, table: str) -> pd.DataFrame:
        return read_postgres(PostgresSettings.from_env(self.env), schema, table)

    def close(self) -> None:
        self.resources.close()


def build_postgres(landing: Path, workdir: Path) -> PostgresReader:
    """A private PostgreSQL cluster (stopped by ``close``, or here if the build fails),
    raw tables loaded with COPY, and ``dbt build --target postgres``."""
    with contextlib.ExitStack() as resources:
        cluster = resources.enter_context(PostgresCluster.start())
        reader = PostgresReader("postgres", workdir, cluster.env())
        with _environment(reader.env):
            ingest_landing(landing, target="postgres", progress=False, now=LOAD_TIME).raise_for_failures()
        reader.build()
        reader.resources = resources.pop_all()
        return reader


def build_postgres_incremental(landing: Path, workdir: Path) -> PostgresReader:
    """dbt's incremental path on PostgreSQL: the snapshot files loaded and built, the build
    recorded in ``ingest.dbt_build_state`` as the pipeline records it on DuckDB (the newest
    file loaded before it), then the delta files loaded and built again, incrementally.
    Compared with DuckDB's build of all the files like any engine."""
    import psycopg2

    staged = workdir / "landing"

    def load(pattern: str) -> None:
        for file in sorted(landing.rglob(pattern)):
            (staged / file.relative_to(landing)).parent.mkdir(parents=True, exist_ok=True)
            # A copy: the ingestion follows no link to a file outside the landing folder.
            shutil.copy2(file, staged / file.relative_to(landing))
        with _environment(reader.env):
            ingest_landing(staged, target="postgres", progress=False, now=LOAD_TIME).raise_for_failures()

    with contextlib.ExitStack() as resources:
        cluster = resources.enter_context(PostgresCluster.start())
        reader = PostgresReader("postgres", workdir, cluster.env())
        load("*_full.*")
        reader.build()
        connect_kwargs = PostgresSettings.from_env(reader.env).connect_kwargs()
        with contextlib.closing(psycopg2.connect(**connect_kwargs)) as con, con, con.cursor() as cursor:
            cursor.execute(
                "create table ingest.dbt_build_state as select 'snapshot' as fingerprint, "
                "true as full_refresh, now() as built_at, max(file_seq) as loaded_through_file_seq "
                "from ingest.load_ledger"
            )
        load("*_delta.*")
        reader.build()
        reader.resources = resources.pop_all()
        return reader


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` in os.environ for the block: the loader reads FUKAN_PG_* from there."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class SparkReader(DbtBuild):
    """Tables read from the Parquet files Spark wrote, without starting Spark again."""

    warehouse: object = None  # orchestration.warehouses.spark.SparkWarehouse

    def read(self, schema: str, table: str) -> pd.DataFrame:
        with self.warehouse.rows(schema, table) as rows:
            return _frame(rows.description, rows.fetchall())

    def close(self) -> None:
        pass


def build_spark(landing: Path, workdir: Path) -> SparkReader:
    """The Parquet lake and ``dbt build --target spark`` (dbt-spark session mode, local[2])."""
    from orchestration.warehouses import spark

    warehouse = spark.build_spark(landing, workdir / "spark")
    reader = SparkReader(
        "spark", warehouse.dbt_target.parent, spark.spark_environment(warehouse.spark_dir), warehouse=warehouse
    )
    output = (warehouse.dbt_target.parent / "build.log").read_text(encoding="utf-8").splitlines()
    done = next((line[line.find("Done.") :] for line in reversed(output) if "Done. PASS=" in line), "no summary")
    reader.build_summary = f"dbt build, {done.strip()}"
    return reader


REFERENCE = "duckdb"
# Engines whose files were loaded in two steps (snapshot, then delta): their load numbers
# (`source_file_seq`) differ from the reference's, which loaded every file at once.
LOADED_IN_TWO_STEPS = {"postgres_incremental"}
LOAD_NUMBER = "source_file_seq"
ENGINES: dict[str, Callable[[Path, Path], Reader]] = {
    "duckdb": build_duckdb,
    "postgres": build_postgres,
    "postgres_incremental": build_postgres_incremental,
    "spark": build_spark,
}
