"""What every warehouse sink does the same way, and the DuckDB sink.

Reading and validation run on a DuckDB processing connection whatever the sink. The
table layouts, the ledger and the skip-known-files logic are plain SQL shared by every
sink (``SqlWarehouse``); a sink says how it runs a statement, how a logical type is
spelled in its dialect, how rows selected on the processing connection reach its tables
and how a transaction is opened. Here the sink is the DuckDB warehouse file itself, so
appending is ``INSERT ... SELECT`` on that connection; ``postgres_writer`` streams rows
to PostgreSQL with COPY.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

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
    LoadedFiles,
    Rows,
    loaded_files_sql,
    raw_columns,
)


def qualified(schema: str, table: str) -> str:
    return f"{ident(schema)}.{ident(table)}"


class SqlWarehouse(ABC):
    """The sink methods the loader calls, written once over ``_execute``.

    Column types in ``orchestration.ingest.tables`` are DuckDB's; ``_sql_type`` maps
    them to the sink's dialect. Subclasses provide ``_execute``, ``_append`` and
    ``transaction``.
    """

    placeholder = "?"  # parameter marker of the driver
    # Errors by which the sink rejects a file's values: the file is recorded as failed.
    file_failures: tuple[type[Exception], ...] = ()

    @abstractmethod
    def _execute(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """Run one statement; the rows it returns (none for DDL and DML)."""

    @abstractmethod
    def _append(self, table: str, rows: Rows) -> int:
        """Append the rows ``rows.select`` gives on the processing connection; their count."""

    @abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """All of a file or nothing of it: a failure leaves no rows, columns or ledger entry."""

    def _sql_type(self, duckdb_type: str) -> str:
        return duckdb_type

    def ensure_tables(self) -> None:
        """Every contract object's raw table (empty until a file arrives), the ledger and
        the quarantine; columns the contract gained since a table was made are added."""
        for schema in (RAW_SCHEMA, INGEST_SCHEMA):
            self._execute(f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}")
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
                definition = ", ".join(f"{ident(name)} {self._sql_type(sql_type)}" for name, sql_type in columns)
                self._execute(f"CREATE TABLE {qualified(schema, table)} ({definition})")

    def _existing_columns(self) -> dict[tuple[str, str], set[str]]:
        """Column names per (schema, table), lowercase: DuckDB names are case-insensitive."""
        existing: dict[tuple[str, str], set[str]] = {}
        for schema, table, column in self._execute(
            "SELECT table_schema, table_name, lower(column_name) FROM information_schema.columns "
            f"WHERE table_schema IN ({self.placeholder}, {self.placeholder})",
            [RAW_SCHEMA, INGEST_SCHEMA],
        ):
            existing.setdefault((schema, table), set()).add(column)
        return existing

    def _add_missing(self, schema: str, table: str, columns: list[tuple[str, str]], existing: set[str]) -> None:
        for name, sql_type in columns:
            if name.lower() not in existing:
                self._execute(
                    f"ALTER TABLE {qualified(schema, table)} ADD COLUMN {ident(name)} {self._sql_type(sql_type)}"
                )

    def add_extra_columns(self, object_name: str, names: list[str]) -> None:
        """Give the raw table the pass-through columns a file carries, if it lacks them."""
        if names:
            existing = self._existing_columns()[RAW_SCHEMA, object_name]
            self._add_missing(RAW_SCHEMA, object_name, [(n, EXTRA_COLUMN_TYPE) for n in names], existing)

    def append_raw(self, object_name: str, rows: Rows) -> int:
        return self._append(qualified(RAW_SCHEMA, object_name), rows)

    def append_quarantine(self, rows: Rows) -> int:
        return self._append(qualified(INGEST_SCHEMA, QUARANTINE_TABLE), rows)

    def record(self, entry: LedgerEntry) -> None:
        placeholders = ", ".join(self.placeholder for _ in LEDGER_COLUMNS)
        self._execute(
            f"INSERT INTO {qualified(INGEST_SCHEMA, LEDGER_TABLE)} VALUES ({placeholders})", list(entry.values())
        )

    def loaded_files(self) -> LoadedFiles:
        return LoadedFiles.from_rows(self._execute(loaded_files_sql(qualified(INGEST_SCHEMA, LEDGER_TABLE))))

    def next_file_seq(self) -> int:
        ((last,),) = self._execute(f"SELECT coalesce(max(file_seq), 0) FROM {qualified(INGEST_SCHEMA, LEDGER_TABLE)}")
        return last + 1


class DuckDBWarehouse(SqlWarehouse):
    """The sink is the processing connection's own file."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def _execute(self, sql: str, params: Sequence = ()) -> list[tuple]:
        result = self.con.execute(sql, list(params))
        return result.fetchall() if result.description else []

    def _append(self, table: str, rows: Rows) -> int:
        columns = ", ".join(ident(name) for name in rows.columns)
        ((count,),) = self._execute(f"INSERT INTO {table} ({columns}) {rows.select}")
        return count

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
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
