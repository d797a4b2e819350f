"""What one published version holds: a DuckDB file, one Parquet file per table, a manifest.

The tables are copied from the working warehouse ATTACHed read-only, so the publish
step never writes to it; the Parquet files are written from the new file, so both
formats hold the same rows. The manifest is stored twice: as `manifest.json` beside the
files and as the table `publish.manifest` inside the DuckDB file, so a reader that has
the database open can check what it reads against the manifest of that very file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.ingest.sql import ident, literal
from orchestration.publish import layout

# Schemas copied into the published file: what BI reads (KPI marts, facts, dimensions).
PUBLISHED_SCHEMAS = ("marts", "kpi")
MANIFEST_SCHEMA = "publish"
WORKING = "working"
# The published file is written in the storage format of DuckDB 1.4, which every later
# DuckDB reads: BI connectors embed DuckDB 1.4 or 1.5 and refuse a 2.0-format file.
READER_STORAGE_VERSION = "v1.4.0"


@dataclass(frozen=True)
class Relation:
    schema: str
    name: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def sql(self) -> str:
        return f"{ident(self.schema)}.{ident(self.name)}"

    @property
    def parquet_path(self) -> str:
        """Relative to the version folder; mirrors the schema, like the warehouse does."""
        return f"{layout.PARQUET}/{self.schema}/{self.name}.parquet"


def published_relations(con: duckdb.DuckDBPyConnection, database: str) -> list[Relation]:
    """Tables and views of the published schemas in `database`, discovered rather than
    listed, so a new KPI mart is published without a code change."""
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    rows = con.execute(
        f"select table_schema, table_name from information_schema.tables "
        f"where table_catalog = ? and table_schema in ({placeholders}) order by 1, 2",
        [database, *PUBLISHED_SCHEMAS],
    ).fetchall()
    return [Relation(schema, name) for schema, name in rows]


def _copy_comments(con: duckdb.DuckDBPyConnection, relation: Relation) -> None:
    """Keep the dbt descriptions (persist_docs) on the published tables and columns."""
    table_comment = con.execute(
        "select comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ? "
        "union all select comment from duckdb_views() where database_name = ? and schema_name = ? and view_name = ?",
        [WORKING, relation.schema, relation.name] * 2,
    ).fetchone()
    if table_comment and table_comment[0]:
        con.execute(f"comment on table {relation.sql} is {literal(table_comment[0])}")
    for column, comment in con.execute(
        "select column_name, comment from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? and comment is not null",
        [WORKING, relation.schema, relation.name],
    ).fetchall():
        con.execute(f"comment on column {relation.sql}.{ident(column)} is {literal(comment)}")


def _definition_versions(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Which definitions produced these numbers: a definition change never rewrites history silently."""
    quality = [
        row[0]
        for row in con.execute(
            f"select distinct quality_definition_version from {WORKING}.marts.fct_leads order by 1"
        ).fetchall()
    ]
    return {"quality_lead_definition": quality[0] if len(quality) == 1 else quality}


def _as_of(con: duckdb.DuckDBPyConnection) -> str | None:
    value = con.execute(f"select max(as_of_at) from {WORKING}.intermediate.int_as_of").fetchone()[0]
    return value.isoformat() if value is not None else None


def write_version(
    warehouse: Path,
    folder: Path,
    *,
    build_id: str,
    run_id: str,
    previous_build_id: str | None,
    checks: dict[str, Any],
    definition_versions: dict[str, str],
) -> dict[str, Any]:
    """Fill `folder` with the database, Parquet files and manifest; return the manifest."""
    database = folder / layout.DATABASE
    with duckdb.connect(str(database), config={"storage_compatibility_version": READER_STORAGE_VERSION}) as con:
        # No row-order bookkeeping: copies and Parquet files are written in parallel, and
        # no reader may rely on the order of rows in a table (the marts have none either).
        con.execute("set preserve_insertion_order = false")
        con.execute(f"attach {literal(str(warehouse))} as {WORKING} (read_only)")
        relations = published_relations(con, WORKING)
        for schema in sorted({r.schema for r in relations}):
            con.execute(f"create schema {ident(schema)}")
        for relation in relations:
            con.execute(f"create table {relation.sql} as select * from {WORKING}.{relation.sql}")
            _copy_comments(con, relation)
        manifest: dict[str, Any] = {
            "build_id": build_id,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "run_id": run_id,
            "as_of": _as_of(con),
            "definition_versions": {**_definition_versions(con), **definition_versions},
            "previous_build_id": previous_build_id,
            "checks": checks,
        }
        con.execute(f"detach {WORKING}")
        layout.pause_point("tables_copied")
        tables = {}
        for relation in relations:
            (folder / relation.parquet_path).parent.mkdir(parents=True, exist_ok=True)
            con.execute(
                f"copy {relation.sql} to {literal(str(folder / relation.parquet_path))} "
                "(format parquet, compression zstd)"
            )
            rows = con.execute(f"select count(*) from {relation.sql}").fetchone()[0]
            tables[relation.qualified] = {"rows": rows, "parquet": relation.parquet_path}
        manifest["tables"] = tables
        _store_manifest(con, manifest)
        con.execute("checkpoint")
    (folder / layout.MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _store_manifest(con: duckdb.DuckDBPyConnection, manifest: dict[str, Any]) -> None:
    """`publish.manifest` (one row, the JSON) and `publish.tables` (row count per table)."""
    con.execute(f"create schema {MANIFEST_SCHEMA}")
    con.execute(
        f"create table {MANIFEST_SCHEMA}.manifest as "
        "select ? as build_id, cast(? as timestamptz) as built_at, ? as manifest_json",
        [manifest["build_id"], manifest["built_at"], json.dumps(manifest, ensure_ascii=False)],
    )
    con.execute(f"create table {MANIFEST_SCHEMA}.tables (table_schema varchar, table_name varchar, row_count bigint)")
    con.executemany(
        f"insert into {MANIFEST_SCHEMA}.tables values (?, ?, ?)",
        [[*name.split(".", 1), table["rows"]] for name, table in manifest["tables"].items()],
    )
