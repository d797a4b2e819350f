"""The published DuckDB file opens in DuckDB 1.x, the DuckDB that BI connectors embed.

The reader is the DuckDB 1.5 CLI (the `duckdb-cli` dev dependency), a process of its own
with its own DuckDB library: it opens the pipeline's published file read-only, lists the
tables it finds, and writes every row of every table to Parquet. DuckDB 2.0 then checks
those rows against the published tables and the manifest, so a value or a type that did
not survive the older storage format shows up as a difference.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import duckdb1
import pytest

from orchestration import config
from orchestration.publish import read_manifest
from orchestration.publish.build import MANIFEST_SCHEMA, PUBLISHED_SCHEMAS
from orchestration.publish.layout import DATABASE


@pytest.fixture(scope="module")
def published_database(built_warehouse) -> Path:
    assert built_warehouse.exit_code == 0
    return config.published_dir(built_warehouse.warehouse) / DATABASE


def test_the_reader_is_duckdb_1(published_database: Path) -> None:
    [[version]] = duckdb1.query(published_database, "select version()")
    assert version.startswith("v1."), f"the reader must be a DuckDB 1.x, found {version}"


def test_duckdb_1_reads_every_published_table_whole(published_database: Path, tmp_path: Path) -> None:
    manifest = read_manifest(published_database.parent)
    schemas = ", ".join(f"'{schema}'" for schema in (*PUBLISHED_SCHEMAS, MANIFEST_SCHEMA))
    found = duckdb1.query(
        published_database,
        f"select table_schema, table_name, data_type from information_schema.columns "
        f"where table_schema in ({schemas}) order by table_schema, table_name, ordinal_position",
    )
    tables = sorted({f"{schema}.{name}" for schema, name, _type in found})
    assert tables == sorted([*manifest["tables"], f"{MANIFEST_SCHEMA}.manifest", f"{MANIFEST_SCHEMA}.tables"])

    exports = {table: tmp_path / f"{table}.parquet" for table in tables}
    duckdb1.query(
        published_database,
        ";\n".join(f"copy (select * from {table}) to '{path}' (format parquet)" for table, path in exports.items()),
    )

    with duckdb.connect(str(published_database), read_only=True) as con:
        types = con.execute(
            f"select table_schema, table_name, data_type from information_schema.columns "
            f"where table_schema in ({schemas}) order by table_schema, table_name, ordinal_position"
        ).fetchall()
        assert found == types, "DuckDB 1.x sees other column types than DuckDB 2.0"
        for table, path in exports.items():
            rows = con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
            if table in manifest["tables"]:
                assert rows == manifest["tables"][table]["rows"], table
            differences = con.execute(
                f"select count(*) from ((select * from {table} except all select * from read_parquet($path)) "
                f"union all (select * from read_parquet($path) except all select * from {table}))",
                {"path": str(path)},
            ).fetchone()[0]
            assert differences == 0, f"{table}: {differences} rows differ as DuckDB 1.x read them"
