"""Everything that writes to the DuckDB warehouse file, in one place.

Reading and validation run on a DuckDB connection whatever the sink; here the sink is the
same DuckDB file, so appending is ``INSERT ... SELECT`` on that connection. A Postgres
writer (COPY from the processing connection) would offer these same methods.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from orchestration import contract
from orchestration.config import INGEST_SCHEMA, RAW_SCHEMA
from orchestration.ingest.sql import ident
from orchestration.ingest.tables import (
    EXTRA_COLUMN_TYPE,
    LEDGER_COLUMNS,
    LEDGER_TABLE,
    QUARANTINE_COLUMNS,
    QUARANTINE_TABLE,
    LedgerEntry,
    Rows,
    raw_columns,
)


def _qualified(schema: str, table: str) -> str:
    return f"{ident(schema)}.{ident(table)}"


class DuckDBWarehouse:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def ensure_tables(self) -> None:
        """Every contract object's raw table (empty until a file arrives), the ledger and
        the quarantine; columns the contract gained since a table was made are added."""
        for schema in (RAW_SCHEMA, INGEST_SCHEMA):
            self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}")
        tables = [(RAW_SCHEMA, name, raw_columns(obj)) for name, obj in contract.OBJECTS.items()]
        tables += [
            (INGEST_SCHEMA, LEDGER_TABLE, LEDGER_COLUMNS),
            (INGEST_SCHEMA, QUARANTINE_TABLE, QUARANTINE_COLUMNS),
        ]
        existing = self._existing_columns()
        for schema, table, columns in tables:
            if (schema, table) in existing:
                self._add_missing(schema, table, columns, existing[schema, table])
            else:
                definition = ", ".join(f"{ident(name)} {sql_type}" for name, sql_type in columns)
                self.con.execute(f"CREATE TABLE {_qualified(schema, table)} ({definition})")

    def _existing_columns(self) -> dict[tuple[str, str], set[str]]:
        """Column names per (schema, table), lowercase: DuckDB names are case-insensitive."""
        existing: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in self.con.execute(
            "SELECT table_schema, table_name, lower(column_name) FROM information_schema.columns "
            "WHERE table_schema IN (?, ?)",
            [RAW_SCHEMA, INGEST_SCHEMA],
        ).fetchall():
            existing.setdefault((schema, table), set()).add(column)
        return existing

    def _add_missing(self, schema: str, table: str, columns: list[tuple[str, str]], existing: set[str]) -> None:
        for name, sql_type in columns:
            if name.lower() not in existing:
                self.con.execute(f"ALTER TABLE {_qualified(schema, table)} ADD COLUMN {ident(name)} {sql_type}")

    def add_extra_columns(self, object_name: str, names: list[str]) -> None:
        """Give the raw table the pass-through columns a file carries, if it lacks them."""
        if names:
            existing = self._existing_columns()[RAW_SCHEMA, object_name]
            self._add_missing(RAW_SCHEMA, object_name, [(n, EXTRA_COLUMN_TYPE) for n in names], existing)

    def append_raw(self, object_name: str, rows: Rows) -> int:
        return self._append(_qualified(RAW_SCHEMA, object_name), rows)

    def append_quarantine(self, rows: Rows) -> int:
        return self._append(_qualified(INGEST_SCHEMA, QUARANTINE_TABLE), rows)

    def _append(self, table: str, rows: Rows) -> int:
        columns = ", ".join(ident(name) for name in rows.columns)
        (count,) = self.con.execute(f"INSERT INTO {table} ({columns}) {rows.select}").fetchone()
        return count

    def record(self, entry: LedgerEntry) -> None:
        placeholders = ", ".join("?" for _ in LEDGER_COLUMNS)
        self.con.execute(
            f"INSERT INTO {_qualified(INGEST_SCHEMA, LEDGER_TABLE)} VALUES ({placeholders})",
            list(entry.values()),
        )

    def loaded_files(self) -> dict[tuple[str, str], int]:
        """(object, checksum) -> file_seq of every file loaded so far."""
        rows = self.con.execute(
            f"SELECT object, checksum, min(file_seq) FROM {_qualified(INGEST_SCHEMA, LEDGER_TABLE)} "
            "WHERE status = 'loaded' GROUP BY object, checksum"
        ).fetchall()
        return {(obj, checksum): seq for obj, checksum, seq in rows}

    def next_file_seq(self) -> int:
        (last,) = self.con.execute(
            f"SELECT coalesce(max(file_seq), 0) FROM {_qualified(INGEST_SCHEMA, LEDGER_TABLE)}"
        ).fetchone()
        return last + 1

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All of a file or nothing of it: a failure leaves no rows, columns or ledger entry."""
        self.con.begin()
        try:
            yield
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables (and the ledger and quarantine) so that dbt sources exist
    even before any file has landed: a missing optional object is an empty table."""
    DuckDBWarehouse(con).ensure_tables()
