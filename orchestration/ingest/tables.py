"""Layouts of the tables ingestion writes, independent of the database that holds them.

dbt sources read these tables, so names, order and types are a stable interface.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import astuple, dataclass, field, fields
from datetime import datetime

from orchestration import contract
from orchestration.contract import CrmObject

EXTRA_COLUMN_TYPE = "VARCHAR"  # unknown columns pass through as text

META_TYPES = {
    "_source_file": "VARCHAR",  # relative to the landing root
    "_source_row": "BIGINT",  # 1-based data record number within the file
    "_file_seq": "BIGINT",  # the ledger's load sequence: later files, higher numbers
    "_loaded_at": "TIMESTAMP",
}

LEDGER_TABLE = "load_ledger"
QUARANTINE_TABLE = "quarantine"


def raw_columns(obj: CrmObject) -> list[tuple[str, str]]:
    """Contract columns in contract order, then ingestion metadata.

    Extra columns a file carries are added later, after these.
    """
    typed = [(c.name, contract.SQL_TYPES[c.type]) for c in obj.columns]
    return typed + [(name, META_TYPES[name]) for name in contract.META_COLUMNS]


@dataclass(frozen=True)
class LedgerEntry:
    """One attempt to load one file; field order is the column order of the ledger."""

    file_seq: int
    object: str
    source_file: str
    file_size: int
    checksum: str  # sha256 of the file as it landed
    file_format: str
    encoding: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    duplicate_ids: int
    extra_columns: str  # names joined with ", "
    status: str  # 'loaded' | 'empty' | 'failed'
    error: str | None  # file, line, column and reason; never the file's content
    started_at: datetime
    finished_at: datetime

    def values(self) -> tuple:
        return astuple(self)


# Field annotations are strings (postponed evaluation); text is the default.
LEDGER_COLUMNS = [
    (f.name, {"int": "BIGINT", "datetime": "TIMESTAMP"}.get(f.type, "VARCHAR")) for f in fields(LedgerEntry)
]


@dataclass
class LoadedFiles:
    """What the ledger says of the files loaded so far, as the loader looks them up."""

    # (object, checksum) -> file_seq of the first load of that content
    first_seq: dict[tuple[str, str], int] = field(default_factory=dict)
    # (object, source_file, file_size) -> (checksum, started_at) of that file's latest load
    latest: dict[tuple[str, str, int], tuple[str, datetime]] = field(default_factory=dict)
    # objects with a loaded file (a header at least; not only 'empty' files)
    objects: set[str] = field(default_factory=set)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple]) -> LoadedFiles:
        """From the rows of ``loaded_files_sql``, in file_seq order."""
        known = cls()
        for obj, source_file, file_size, checksum, file_seq, started_at, status in rows:
            known.add(obj, checksum, file_seq, status)
            known.latest[obj, source_file, file_size] = (checksum, started_at)
        return known

    def add(self, obj: str, checksum: str, file_seq: int, status: str) -> None:
        self.first_seq.setdefault((obj, checksum), file_seq)
        if status == "loaded":
            self.objects.add(obj)


# An empty file (not even a header) is recorded as 'empty': done with, like a loaded
# one, and never tried again.
DONE_STATUSES = ("loaded", "empty")


def loaded_files_sql(ledger: str) -> str:
    """The ledger's loaded and empty files (``ledger`` is the table, or a relation reading it)."""
    statuses = ", ".join(f"'{status}'" for status in DONE_STATUSES)
    return (
        f"SELECT object, source_file, file_size, checksum, file_seq, started_at, status FROM {ledger} "
        f"WHERE status IN ({statuses}) ORDER BY file_seq"
    )


QUARANTINE_COLUMNS = [
    ("file_seq", "BIGINT"),
    ("object", "VARCHAR"),
    ("source_file", "VARCHAR"),
    ("source_row", "BIGINT"),
    ("column_name", "VARCHAR"),  # every offending column, joined with ", "
    ("reason", "VARCHAR"),  # every problem, joined with "; "
    ("raw_record", "VARCHAR"),  # the row as the file had it, as JSON text
    ("quarantined_at", "TIMESTAMP"),
]


@dataclass(frozen=True)
class Rows:
    """Rows to append to a table: a query on the processing connection and the target
    columns its select list produces, in order."""

    columns: list[str]
    select: str

    def union(self, other: Rows) -> Rows:
        """Both selects as one append: a sink may write one file per append (parquet_writer)."""
        if other.columns != self.columns:
            raise ValueError(f"cannot append {other.columns} as {self.columns}")
        return Rows(self.columns, f"{self.select} UNION ALL {other.select}")
