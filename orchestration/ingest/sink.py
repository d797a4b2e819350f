"""What the loader needs from the place raw rows go: the DuckDB file or a PostgreSQL
server (writer.py, postgres_writer.py), or a Parquet lake that Spark reads (parquet_writer.py).

Rows always come as a query on the DuckDB processing connection (`Rows`), so a sink
either runs it on that connection or copies its result elsewhere.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from orchestration.ingest.tables import LedgerEntry, LoadedFiles, Rows


class RawSink(Protocol):
    # Errors of the sink that fail one file (recorded in the ledger), not the whole run.
    file_failures: tuple[type[Exception], ...]

    def ensure_tables(self) -> None:
        """Every contract object's raw table (empty until a file arrives), the ledger
        and the quarantine exist after this."""

    def add_extra_columns(self, object_name: str, names: list[str]) -> None:
        """The raw table can take the pass-through columns a file carries."""

    def append_raw(self, object_name: str, rows: Rows) -> int:
        """Append rows to ``raw.<object_name>``; the number appended."""

    def append_quarantine(self, rows: Rows) -> int:
        """Append rows to the quarantine; the number appended."""

    def record(self, entry: LedgerEntry) -> None:
        """Add one load attempt to the ledger."""

    def loaded_files(self) -> LoadedFiles:
        """Every file loaded so far, by checksum and by name and size."""

    def next_file_seq(self) -> int:
        """The ledger sequence number of the next load attempt."""

    def transaction(self) -> AbstractContextManager[None]:
        """All of a file or nothing of it: what a failure inside leaves behind is as if
        the file had never been tried."""
