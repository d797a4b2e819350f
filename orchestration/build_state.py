"""Whether a refresh may build incrementally: only on the definitions the warehouse holds.

Incremental models merge what changed in the data since their last build; they cannot
see that a definition changed (a model's SQL, a seed mapping, a var, the dbt version).
So every complete, successful `dbt build` of the pipeline records a fingerprint of the
definitions in the warehouse (`ingest.dbt_build_state`, one row per build), and a build
whose definitions differ from the last recorded ones runs with `--full-refresh`.

Each row also records the newest landing file loaded when that build started
(`loaded_through_file_seq`): the incremental models' watermark (macro
`file_seq_watermark`). Every object's files are numbered in one sequence, so "loaded
after the last complete build" is one comparison for tasks, leads and users alike.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import duckdb

from orchestration import config
from orchestration.dbt_project import dbt_source_files
from orchestration.ingest.sql import ident
from orchestration.ingest.tables import LEDGER_TABLE

STATE_TABLE = f"{ident(config.INGEST_SCHEMA)}.dbt_build_state"
_PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb")


def definitions_fingerprint() -> str:
    """SHA-256 over every file of the dbt project and the seeds, and the dbt versions."""
    digest = hashlib.sha256()
    for package in _PACKAGES:
        digest.update(f"{package}=={version(package)}\n".encode())
    for path in sorted(dbt_source_files()):
        digest.update(str(path.relative_to(config.PROJECT_ROOT)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {ident(config.INGEST_SCHEMA)}")
    con.execute(
        f"create table if not exists {STATE_TABLE} "
        "(fingerprint varchar not null, full_refresh boolean not null, built_at timestamp not null)"
    )
    # Added after the first release: warehouses built before it lack the column.
    con.execute(f"alter table {STATE_TABLE} add column if not exists loaded_through_file_seq bigint")


def loaded_file_seq(warehouse: Path) -> int:
    """The newest landing file loaded into `warehouse` so far (0 before the first load)."""
    if not Path(warehouse).exists():
        return 0
    ledger = f"{ident(config.INGEST_SCHEMA)}.{ident(LEDGER_TABLE)}"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            return con.execute(f"select coalesce(max(file_seq), 0) from {ledger}").fetchone()[0]
        except duckdb.CatalogException:  # nothing loaded yet
            return 0


def needs_full_refresh(warehouse: Path, fingerprint: str) -> bool:
    """True unless the last complete build of `warehouse` used these same definitions."""
    if not Path(warehouse).exists():
        return True
    with duckdb.connect(str(warehouse)) as con:
        _ensure_table(con)
        last = con.execute(f"select fingerprint from {STATE_TABLE} order by built_at desc limit 1").fetchone()
    return last is None or last[0] != fingerprint


def record_build(warehouse: Path, fingerprint: str, full_refresh: bool, loaded_through_file_seq: int) -> None:
    """Remember that every model of `warehouse` is now built on these definitions, from
    every landing file up to `loaded_through_file_seq` (read before the build started)."""
    with duckdb.connect(str(warehouse)) as con:
        _ensure_table(con)
        con.execute(
            f"insert into {STATE_TABLE} (fingerprint, full_refresh, built_at, loaded_through_file_seq) "
            "values (?, ?, ?, ?)",
            [fingerprint, full_refresh, datetime.now(UTC).replace(tzinfo=None), loaded_through_file_seq],
        )
