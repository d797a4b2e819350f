"""The Parquet lake (the Spark target's raw tables) holds what the DuckDB warehouse holds
for the same landing files, with the same guarantees: a file all or nothing, nothing
loaded twice, every table present with its contract columns."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest
from ingest_fixtures import LEAD_HEADER, NOW

from orchestration import contract
from orchestration.ingest import ingest_landing
from orchestration.ingest.parquet_writer import ParquetLake
from orchestration.ingest.tables import raw_columns


def _lake_rows(lake, schema: str, table: str, order: str) -> list[tuple]:
    """Rows of a lake table, its instants as naive UTC like the DuckDB warehouse's."""
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        rows = con.execute(
            f"SELECT * EXCLUDE ({order}), {order} FROM read_parquet('{lake}/{schema}/{table}/*.parquet', "
            f"union_by_name = true) ORDER BY {order}"
        ).fetchall()
    return [
        tuple(v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo else v for v in row)
        for row in rows
    ]


def _lake_files(lake) -> list[str]:
    return sorted(str(p.relative_to(lake)) for p in lake.rglob("*") if p.is_file())


@pytest.fixture
def landing(sandbox):
    sandbox.write(
        "lead/full.csv",
        f"{LEAD_HEADER},Campaign_Code__c\n"
        "L1,2026-03-01T09:00:00.000+0000,U1,Open,spring\n"
        "L2,2026-03-01 18:30:00+09:00,U1,Open,\n"
        "L3,not a date,U1,Open,x\n",
    )
    sandbox.write("lead/delta.csv", f"{LEAD_HEADER}\nL1,2026-03-02T00:00:00Z,U2,Working - Contacted\n")
    sandbox.write("task/broken.csv", "Id,CreatedDate\nT1,2026-03-01\n")  # no OwnerId: fails
    return sandbox


def test_lake_holds_what_the_duckdb_warehouse_holds(landing, tmp_path):
    lake = tmp_path / "lake"
    landing.ingest(failures=True)
    result = ingest_landing(landing.landing, lake, target="spark", progress=False, now=NOW)
    assert [(f.source_file, f.status, f.rows_loaded, f.rows_quarantined) for f in result.files] == [
        ("lead/delta.csv", "loaded", 1, 0),
        ("lead/full.csv", "loaded", 2, 1),
        ("task/broken.csv", "failed", 0, 0),
    ]
    lead_columns = ", ".join(f'"{name}"' for name, _ in raw_columns(contract.OBJECTS["lead"]))
    assert _lake_rows(lake, "raw", "lead", "_file_seq, _source_row") == landing.rows(
        "SELECT * EXCLUDE (_file_seq, _source_row), _file_seq, _source_row FROM raw.lead "
        "ORDER BY _file_seq, _source_row"
    )
    assert [r[:-1] for r in _lake_rows(lake, "ingest", "quarantine", "file_seq, source_row")] == [
        r[:-1]
        for r in landing.rows(
            "SELECT * EXCLUDE (file_seq, source_row), file_seq, source_row "
            "FROM ingest.quarantine ORDER BY file_seq, source_row"
        )
    ]
    ledger = "file_seq, object, source_file, rows_read, rows_loaded, rows_quarantined, extra_columns, status, error"
    with duckdb.connect() as con:
        lake_ledger = con.execute(
            f"SELECT {ledger} FROM read_parquet('{lake}/ingest/load_ledger/*.parquet') ORDER BY file_seq"
        ).fetchall()
        types = dict(
            con.execute(
                f"SELECT column_name, column_type FROM (DESCRIBE SELECT {lead_columns} "
                f"FROM read_parquet('{lake}/raw/lead/0.parquet'))"
            ).fetchall()
        )
    assert lake_ledger == landing.rows(f"SELECT {ledger} FROM ingest.load_ledger ORDER BY file_seq")
    # Timestamps are instants (Spark's timestamp type); the other types are the contract's.
    assert types == {
        name: "TIMESTAMP WITH TIME ZONE" if sql_type == "TIMESTAMP" else sql_type
        for name, sql_type in raw_columns(contract.OBJECTS["lead"])
    }


def test_every_table_exists_and_a_rerun_writes_nothing(landing, tmp_path):
    lake = tmp_path / "lake"
    ingest_landing(landing.landing, lake, target="spark", progress=False, now=NOW)
    files = _lake_files(lake)
    assert {f"raw/{name}/0.parquet" for name in contract.OBJECTS} <= set(files)
    rerun = ingest_landing(landing.landing, lake, target="spark", progress=False, now=NOW)
    assert [f.status for f in rerun.files] == ["skipped", "skipped", "failed"]
    assert _lake_files(lake) == sorted([*files, "ingest/load_ledger/4.parquet"])  # the failed file, tried again


def test_a_failure_inside_a_load_leaves_no_files(landing, tmp_path, monkeypatch):
    lake = tmp_path / "lake"
    ingest_landing(landing.landing, lake, target="spark", progress=False, now=NOW, objects=["user"])
    before = _lake_files(lake)

    def fail(self, rows):
        raise OSError("disk full")

    monkeypatch.setattr(ParquetLake, "append_quarantine", fail)
    result = ingest_landing(landing.landing, lake, target="spark", progress=False, now=NOW, objects=["lead"])
    assert {f.status for f in result.files} == {"failed"}
    assert [f for f in _lake_files(lake) if not f.startswith("ingest/load_ledger/")] == [
        f for f in before if not f.startswith("ingest/load_ledger/")
    ]


def test_files_an_interrupted_run_left_are_removed(tmp_path):
    lake = tmp_path / "lake"
    (lake / "raw" / "lead").mkdir(parents=True)
    (lake / "raw" / "lead" / "7.parquet").write_bytes(b"rows of a load without a ledger entry")
    (lake / "raw" / "lead" / ".0f1e.parquet.tmp").write_bytes(b"staged")
    with duckdb.connect() as con:
        ParquetLake(con, lake).ensure_tables()
    assert sorted(p.name for p in (lake / "raw" / "lead").iterdir()) == ["0.parquet"]
