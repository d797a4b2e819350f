"""Ingestion into PostgreSQL (COPY from the DuckDB processing connection) keeps every
value exactly as the DuckDB warehouse holds it, skips files loaded before, and loads a
file all or nothing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import psycopg2
import pytest
from compare import differences
from engines import read_duckdb, read_postgres

from orchestration.config import PostgresSettings
from orchestration.ingest import ingest_landing
from orchestration.ingest.postgres_writer import PostgresWarehouse

pytestmark = pytest.mark.warehouses

NOW = datetime(2026, 4, 3, 9, 0, 0)

# A CP932 export (Japanese Salesforce) with everything CSV can get wrong: quotes and
# commas in a field, a line break inside one, surrounding spaces, empty fields (NULL),
# the text \N (PostgreSQL's text-format NULL marker; plain text in CSV), timestamps in
# every contract form, doubles that need all 17 digits, and one unparsable timestamp.
LEADS = (
    "Id,CreatedDate,OwnerId,Status,Company,Title,AnnualRevenue,NumberOfEmployees,IsConverted,"
    "ConvertedDate,SystemModstamp,Note__c\n"
    "L1,2026-04-01T09:00:00.000+0000,U1,Open - Not Contacted,株式会社テスト,部長,123456789.12345679,120,"
    'false,,2026-04-01T09:00:00Z,"He said ""hi"", then left"\n'
    'L2,2026-04-01 18:30:15.123456+09:00,U1,Working - Contacted,"Multi\nline, ltd.",  課長  ,0.1,5,'
    "true,2026-04-02,2026-04-01T10:00:00,\\N\n"
    "L3,not a time,U1,Open - Not Contacted,有限会社①,,,,,,,\n"
    'L4,2026-03-31T23:59:59.999999Z,U1,Open - Not Contacted,,,9.5e14,,,,,""\n'
)
USERS = "Id,CreatedDate,Name,Department\nU1,2026-01-05T00:00:00Z,山田 太郎,インサイドセールス\n"


def _landing(root: Path) -> Path:
    landing = root / "landing"
    (landing / "lead").mkdir(parents=True)
    (landing / "lead" / "lead_cp932.csv").write_bytes(LEADS.encode("cp932"))
    (landing / "User.csv").write_text(USERS, encoding="utf-8")
    return landing


def _by_id(frame) -> dict[str, dict]:
    return {row["id"]: row for row in frame.to_dict("records")}


def test_copy_keeps_every_value_the_duckdb_warehouse_holds(tmp_path, postgres_env):
    landing = _landing(tmp_path)
    duck = tmp_path / "fukan.duckdb"
    on_duckdb = ingest_landing(landing, duck, progress=False, now=NOW)
    on_postgres = ingest_landing(landing, target="postgres", progress=False, now=NOW)
    settings = PostgresSettings.from_env()

    assert (
        [(f.source_file, f.status, f.rows_read, f.rows_loaded, f.rows_quarantined) for f in on_postgres.files]
        == [(f.source_file, f.status, f.rows_read, f.rows_loaded, f.rows_quarantined) for f in on_duckdb.files]
        == [("lead/lead_cp932.csv", "loaded", 4, 3, 1), ("User.csv", "loaded", 1, 1, 0)]
    )
    found = []
    for schema, table in [("raw", "lead"), ("raw", "user"), ("ingest", "quarantine")]:
        found += differences(
            f"{schema}.{table}", read_duckdb(duck, schema, table), read_postgres(settings, schema, table), "postgres"
        )
    assert not found, "\n".join(found)

    leads = _by_id(read_postgres(settings, "raw", "lead"))
    assert leads["L1"]["company"] == "株式会社テスト" and leads["L1"]["title"] == "部長"
    assert leads["L1"]["note_c"] == 'He said "hi", then left'
    assert leads["L1"]["annual_revenue"] == 123456789.12345679  # all 17 digits survive the CSV
    assert leads["L2"]["company"] == "Multi\nline, ltd."
    assert leads["L2"]["note_c"] == "\\N"  # text, not NULL
    assert leads["L2"]["created_date"] == datetime(2026, 4, 1, 9, 30, 15, 123456)  # naive UTC
    assert leads["L4"]["created_date"] == datetime(2026, 3, 31, 23, 59, 59, 999999)
    assert (
        leads["L4"]["company"] is None and leads["L4"]["annual_revenue"] == 9.5e14
    )  # exponent notation, under the 1e15 door bound
    quarantined = read_postgres(settings, "ingest", "quarantine").to_dict("records")
    assert [(q["source_row"], q["column_name"]) for q in quarantined] == [(3, "created_date")]
    assert "有限会社①" in quarantined[0]["raw_record"]


def test_a_file_loaded_before_is_skipped_by_its_checksum(tmp_path, postgres_env):
    landing = _landing(tmp_path)
    first = ingest_landing(landing, target="postgres", progress=False, now=NOW)
    (landing / "lead" / "lead_copy.csv").write_bytes((landing / "lead" / "lead_cp932.csv").read_bytes())
    again = ingest_landing(landing, target="postgres", progress=False, now=NOW)

    assert len(first.loaded) == 2 and len(again.skipped) == 3 and not again.loaded
    assert len(read_postgres(PostgresSettings.from_env(), "raw", "lead")) == 3


def test_a_file_the_server_rejects_leaves_only_its_failed_ledger_entry(tmp_path, postgres_env, monkeypatch):
    """The lead file's raw rows are copied, then the server refuses the file: its
    transaction is rolled back, and the other file still loads."""
    append_raw = PostgresWarehouse.append_raw

    def copy_then_refuse_leads(self, object_name, rows):
        copied = append_raw(self, object_name, rows)
        if object_name == "lead":
            assert copied == 3
            raise psycopg2.DataError('invalid byte sequence for encoding "UTF8": 0x00')
        return copied

    monkeypatch.setattr(PostgresWarehouse, "append_raw", copy_then_refuse_leads)
    result = ingest_landing(_landing(tmp_path), target="postgres", progress=False, now=NOW)
    settings = PostgresSettings.from_env()

    assert [(f.source_file, f.status) for f in result.files] == [
        ("lead/lead_cp932.csv", "failed"),
        ("User.csv", "loaded"),
    ]
    assert result.failed[0].error == 'lead/lead_cp932.csv: invalid byte sequence for encoding "UTF8": 0x00'
    assert read_postgres(settings, "raw", "lead").empty and read_postgres(settings, "ingest", "quarantine").empty
    assert len(read_postgres(settings, "raw", "user")) == 1
    ledger = read_postgres(settings, "ingest", "load_ledger").sort_values("file_seq")
    assert list(ledger["status"]) == ["failed", "loaded"] and list(ledger["rows_loaded"]) == [0, 1]


def test_a_second_loader_on_the_same_database_is_refused(tmp_path, postgres_env):
    holder = psycopg2.connect(**PostgresSettings.from_env().connect_kwargs())
    try:
        holder.cursor().execute("SELECT pg_advisory_lock(hashtext('fukan ingest'))")
        with pytest.raises(ConnectionError, match=r"another fukan ingest is loading into fukan@127\.0\.0\.1:\d+/t_"):
            ingest_landing(_landing(tmp_path), target="postgres", progress=False, now=NOW)
    finally:
        holder.close()
