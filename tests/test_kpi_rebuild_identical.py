"""Rebuilding over the same extracts gives identical marts: no current_date, no
randomness, no dependence on row order (KPI marts issue, "Everything is reproducible")."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from run_dbt_cli import run_dbt


def _checksums(warehouse: Path) -> dict[str, str]:
    """An order-independent fingerprint of every KPI mart and fact: sum of row hashes."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "select table_schema || '.' || table_name from information_schema.tables "
                "where table_schema in ('kpi', 'marts') and table_type = 'BASE TABLE' order by 1"
            ).fetchall()
        ]
        return {
            table: con.execute(f"select count(*) || ':' || coalesce(sum(hash(t)), 0) from {table} as t").fetchone()[0]
            for table in tables
        }


def test_rebuild_over_same_extracts_gives_identical_marts(built_warehouse, tmp_path):
    before = _checksums(built_warehouse.warehouse)
    assert any(name.startswith("kpi.") for name in before)
    rebuilt = tmp_path / "fukan.duckdb"
    shutil.copy(built_warehouse.warehouse, rebuilt)
    run_dbt(["run", "--quiet", "--full-refresh"], rebuilt, tmp_path / "target")
    assert _checksums(rebuilt) == before
