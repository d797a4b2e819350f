"""Raw tables, load ledger and quarantine as a Parquet lake, for warehouses that read
files (Spark, Databricks): one folder per table, one Parquet file per load attempt.

    <lake>/raw/<object>/<file_seq>.parquet
    <lake>/ingest/quarantine/<file_seq>.parquet
    <lake>/ingest/load_ledger/<file_seq>.parquet

Files are checked on the DuckDB processing connection as for the DuckDB warehouse and
copied out with ``COPY ... TO ... (FORMAT parquet)``. Every folder also holds
``0.parquet``: no rows, the table's contract columns and types, so a table with no file
yet still has its columns. A file's pass-through columns are in its own Parquet file only;
a reader merges the schemas (Spark: ``mergeSchema``). Timestamps are written as UTC
instants (Parquet ``isAdjustedToUTC``), which Spark reads as its ``timestamp`` type.

All of a landing file or nothing of it: its files are written under hidden names
(readers skip names starting with a dot) and renamed at commit, the ledger entry last;
`ensure_tables` removes what an interrupted run left without a ledger entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration import contract
from orchestration.config import INGEST_SCHEMA, RAW_SCHEMA
from orchestration.ingest.sql import ident, literal
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

SCHEMA_FILE_SEQ = 0  # load attempts count from 1
_STAGED_SUFFIX = ".parquet.tmp"
_LEDGER_ENTRY = "_ledger_entry"


def _parquet_type(sql_type: str) -> str:
    """The type a column is written with: naive UTC timestamps become instants."""
    return "TIMESTAMPTZ" if sql_type == "TIMESTAMP" else sql_type


class ParquetLake:
    """A `RawSink` writing Parquet files under ``lake`` from the processing connection."""

    file_failures: tuple[type[Exception], ...] = ()

    def __init__(self, con: duckdb.DuckDBPyConnection, lake: Path) -> None:
        self.con = con
        self.lake = Path(lake)
        self._staged: list[Path] | None = None  # files of the open transaction
        self._entry: LedgerEntry | None = None  # its ledger entry

    def _folder(self, schema: str, table: str) -> Path:
        return self.lake / schema / table

    def _layouts(self) -> dict[Path, list[tuple[str, str]]]:
        layouts = {self._folder(RAW_SCHEMA, name): raw_columns(obj) for name, obj in contract.OBJECTS.items()}
        layouts[self._folder(INGEST_SCHEMA, LEDGER_TABLE)] = LEDGER_COLUMNS
        layouts[self._folder(INGEST_SCHEMA, QUARANTINE_TABLE)] = QUARANTINE_COLUMNS
        return layouts

    def ensure_tables(self) -> None:
        """Each folder with its schema file (rewritten, so columns the contract gained
        appear), and without what an interrupted load left behind."""
        for folder, columns in self._layouts().items():
            folder.mkdir(parents=True, exist_ok=True)
            for leftover in folder.glob(f".*{_STAGED_SUFFIX}"):
                leftover.unlink()
            empty = ", ".join(f"CAST(NULL AS {_parquet_type(t)}) AS {ident(n)}" for n, t in columns)
            self._copy(f"SELECT {empty} LIMIT 0", folder, SCHEMA_FILE_SEQ)
        attempted = {seq for (seq,) in self.con.execute(f"SELECT file_seq FROM {self._ledger()}").fetchall()}
        for folder in self._layouts():
            for path in folder.glob("*.parquet"):
                if int(path.stem) not in attempted | {SCHEMA_FILE_SEQ}:
                    path.unlink()

    def add_extra_columns(self, object_name: str, names: list[str]) -> None:
        """Nothing to do: each Parquet file carries its own pass-through columns."""

    def append_raw(self, object_name: str, rows: Rows) -> int:
        columns = raw_columns(contract.OBJECTS[object_name])
        known = {name for name, _ in columns}
        extras = [(name, EXTRA_COLUMN_TYPE) for name in rows.columns if name not in known]
        return self._append(self._folder(RAW_SCHEMA, object_name), columns + extras, rows)

    def append_quarantine(self, rows: Rows) -> int:
        return self._append(self._folder(INGEST_SCHEMA, QUARANTINE_TABLE), QUARANTINE_COLUMNS, rows)

    def _append(self, folder: Path, columns: list[tuple[str, str]], rows: Rows) -> int:
        """Write ``rows`` with every column of the table, absent ones as nulls."""
        given = set(rows.columns)
        projection = ", ".join(
            f"CAST({ident(name) if name in given else 'NULL'} AS {_parquet_type(sql_type)}) AS {ident(name)}"
            for name, sql_type in columns
        )
        aliases = ", ".join(ident(name) for name in rows.columns)
        return self._copy(f"SELECT {projection} FROM ({rows.select}) AS rows_({aliases})", folder)

    def _copy(self, select: str, folder: Path, file_seq: int | None = None) -> int:
        """Write the result of ``select`` to ``folder``: as ``<file_seq>.parquet`` at
        once, or (no ``file_seq``) staged until the transaction commits."""
        if file_seq is None:
            if self._staged is None:
                raise RuntimeError("ParquetLake: rows can only be appended inside transaction()")
            target = folder / f".{uuid.uuid4().hex}{_STAGED_SUFFIX}"
            self._staged.append(target)
        else:
            target = folder / f".{file_seq}{_STAGED_SUFFIX}"
        (count,) = self.con.execute(f"COPY ({select}) TO {literal(str(target))} (FORMAT parquet)").fetchone()
        if file_seq is not None:
            target.replace(folder / f"{file_seq}.parquet")
        return count

    def record(self, entry: LedgerEntry) -> None:
        """The ledger entry is the commit mark: inside a transaction it is written last."""
        if self._staged is not None:
            self._entry = entry
            return
        self._write_entry(entry)

    def _write_entry(self, entry: LedgerEntry) -> None:
        values = ", ".join(f"CAST(? AS {_parquet_type(t)}) AS {ident(n)}" for n, t in LEDGER_COLUMNS)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {_LEDGER_ENTRY} AS SELECT {values}", list(entry.values()))
        self._copy(f"SELECT * FROM {_LEDGER_ENTRY}", self._folder(INGEST_SCHEMA, LEDGER_TABLE), entry.file_seq)

    def _ledger(self) -> str:
        folder = self._folder(INGEST_SCHEMA, LEDGER_TABLE)
        return f"read_parquet({literal(str(folder / '*.parquet'))})"

    def loaded_files(self) -> LoadedFiles:
        return LoadedFiles.from_rows(self.con.execute(loaded_files_sql(self._ledger())).fetchall())

    def next_file_seq(self) -> int:
        (last,) = self.con.execute(f"SELECT coalesce(max(file_seq), 0) FROM {self._ledger()}").fetchone()
        return last + 1

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Staged files become ``<file_seq>.parquet`` of the ledger entry recorded inside;
        a failure deletes them."""
        self._staged, self._entry = [], None
        try:
            yield
            if self._entry is None:
                raise RuntimeError("ParquetLake: a load committed without a ledger entry")
            for staged in self._staged:
                staged.replace(staged.parent / f"{self._entry.file_seq}.parquet")
            self._write_entry(self._entry)
        except BaseException:
            for staged in self._staged:
                staged.unlink(missing_ok=True)
            raise
        finally:
            self._staged, self._entry = None, None
