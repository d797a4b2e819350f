"""The warehouse engines the comparison harness builds, by name.

Each entry of ``ENGINES`` is ``build(landing, workdir) -> Reader``: load the landing
folder through fukan's ingestion, run ``dbt build`` for that engine's dbt target (seeds,
models, contracts, unit and data tests; a failure raises), and return a reader of the
built tables. ``duckdb`` is the reference the others are compared with.

To add an engine (Spark, say): write its ``build`` here, returning a ``Reader`` whose
``read`` gives the table's rows as Python values, and add it to ``ENGINES``;
``test_engines_agree`` then compares it with DuckDB table by table.
"""
from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import time
from collections.abc import Callable
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

logger = logging.getLogger(__name__)

# One load time for every engine: `_loaded_at` and the future-record check depend on it.
LOAD_TIME = datetime(2026, 10, 2, 9, 0, 0)


class Reader(Protocol):
    target_path: Path  # the dbt build's artifacts: manifest.json, compiled/

    def read(self, schema: str, table: str) -> pd.DataFrame:
        """Every row of ``schema.table`` as Python values (object columns)."""

    def close(self) -> None:
        """Release what the build holds (a server, a connection)."""


class BuildError(RuntimeError):
    pass


def run_dbt_build(engine: str, workdir: Path, env: dict[str, str]) -> Path:
    """``dbt build`` of the project on the dbt target ``engine``; its target folder.

    Artifacts and logs go under ``workdir``, never into the checkout's dbt_project.
    """
    target_path, log_path = workdir / "target", workdir / "logs"
    command = [dbt_executable(), "build", "--target", engine, "--project-dir", str(DBT_PROJECT_DIR),
               "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target_path),
               "--log-path", str(log_path)]
    started = time.monotonic()
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    seconds = time.monotonic() - started
    (workdir / "dbt_build.log").write_text(done.stdout + done.stderr)
    summary = next((line for line in reversed(done.stdout.splitlines()) if "Done. PASS=" in line), "no summary")
    logger.warning("dbt build on %s: %.0f s, %s", engine, seconds, summary.strip())
    if done.returncode != 0:
        raise BuildError(f"dbt build on {engine} failed ({summary.strip()}); log: {workdir / 'dbt_build.log'}\n"
                         + "\n".join(done.stdout.splitlines()[-40:]))
    return target_path


def _frame(cursor_description, rows: list[tuple]) -> pd.DataFrame:
    """Python values as the driver gave them: no NaN for None, no float for an int."""
    columns = [column[0] for column in cursor_description]
    return pd.DataFrame({name: pd.Series([row[i] for row in rows], dtype=object) for i, name in enumerate(columns)},
                        columns=columns)


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
class DuckDBReader:
    path: Path
    target_path: Path

    def read(self, schema: str, table: str) -> pd.DataFrame:
        return read_duckdb(self.path, schema, table)

    def close(self) -> None:
        pass


def build_duckdb(landing: Path, workdir: Path) -> DuckDBReader:
    warehouse = workdir / "fukan.duckdb"
    ingest_landing(landing, warehouse, progress=False, now=LOAD_TIME).raise_for_failures()
    target_path = run_dbt_build("duckdb", workdir, {"FUKAN_WAREHOUSE": str(warehouse)})
    return DuckDBReader(warehouse, target_path)


@dataclass
class PostgresReader:
    settings: PostgresSettings
    target_path: Path
    resources: contextlib.ExitStack = field(repr=False)

    def read(self, schema: str, table: str) -> pd.DataFrame:
        return read_postgres(self.settings, schema, table)

    def close(self) -> None:
        self.resources.close()


def build_postgres(landing: Path, workdir: Path) -> PostgresReader:
    """A private PostgreSQL cluster (stopped by ``close``, or here if the build fails),
    raw tables loaded with COPY, and ``dbt build --target postgres``."""
    with contextlib.ExitStack() as resources:
        cluster = resources.enter_context(PostgresCluster.start())
        env = cluster.env()
        with _environment(env):
            settings = PostgresSettings.from_env()
            ingest_landing(landing, target="postgres", progress=False, now=LOAD_TIME).raise_for_failures()
        target_path = run_dbt_build("postgres", workdir, env)
        return PostgresReader(settings, target_path, resources.pop_all())


@contextlib.contextmanager
def _environment(values: dict[str, str]):
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


REFERENCE = "duckdb"
ENGINES: dict[str, Callable[[Path, Path], Reader]] = {
    "duckdb": build_duckdb,
    "postgres": build_postgres,
}
