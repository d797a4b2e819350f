"""Whether a refresh may build incrementally: only on the definitions the warehouse holds.

Incremental models merge what changed in the data since their last build; they cannot
see that a definition changed (a model's SQL, a seed mapping, a var, the dbt version).
So every complete, successful `dbt build` of the pipeline records a fingerprint of the
definitions in the warehouse (`ingest.dbt_build_state`, one row per build), and a build
whose definitions differ from the last recorded ones runs with `--full-refresh`.
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


def needs_full_refresh(warehouse: Path, fingerprint: str) -> bool:
    """True unless the last complete build of `warehouse` used these same definitions."""
    if not Path(warehouse).exists():
        return True
    with duckdb.connect(str(warehouse)) as con:
        _ensure_table(con)
        last = con.execute(f"select fingerprint from {STATE_TABLE} order by built_at desc limit 1").fetchone()
    return last is None or last[0] != fingerprint


def record_build(warehouse: Path, fingerprint: str, full_refresh: bool) -> None:
    """Remember that every model of `warehouse` is now built on these definitions."""
    with duckdb.connect(str(warehouse)) as con:
        _ensure_table(con)
        con.execute(
            f"insert into {STATE_TABLE} values (?, ?, ?)",
            [fingerprint, full_refresh, datetime.now(UTC).replace(tzinfo=None)],
        )
