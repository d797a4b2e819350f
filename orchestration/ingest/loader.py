"""Load every new landing file into the warehouse, one file at a time.

Each file is one transaction: its raw rows, quarantine rows, new pass-through columns and
ledger entry appear together or not at all, and a broken file is recorded as failed
without stopping the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import takewhile
from pathlib import Path

import duckdb
from tqdm import tqdm

from orchestration import contract
from orchestration.config import INGEST_TARGETS, PostgresSettings
from orchestration.ingest import records
from orchestration.ingest.discovery import LandingFile, discover
from orchestration.ingest.errors import FileError
from orchestration.ingest.gaps import (
    GAPS_TABLE,
    gap_quarantine_rows,
    remove_placeholders,
)
from orchestration.ingest.headers import map_headers
from orchestration.ingest.readers import open_source, split_ahead
from orchestration.ingest.result import FileResult, IngestResult
from orchestration.ingest.sink import RawSink
from orchestration.ingest.tables import LedgerEntry, LoadedFiles
from orchestration.ingest.text_files import LINES_TABLE, REJECT_SCANS, REJECTS
from orchestration.ingest.validate import (
    CHECKED_TABLE,
    checked_table_sql,
    good_rows,
    quarantine_rows,
    read_and_duplicates_sql,
)
from orchestration.ingest.writer import DuckDBWarehouse

# A file the ledger knows by object, name and size is not read again when it was last
# modified before that load began: the quick check of rsync and git, which trusts that
# a changed file gets a new modification time. The margin covers file systems that keep
# modification times in whole seconds or coarser. `fukan ingest --rehash` hashes every file.
QUICK_CHECK_MARGIN = timedelta(seconds=2)

# Temporary tables of one file's load, dropped after it.
WORK_TABLES = (CHECKED_TABLE, GAPS_TABLE, LINES_TABLE, REJECTS, REJECT_SCANS)

# What a broken file can raise, besides what its sink rejects (``file_failures``);
# anything else is a bug and should stop the run.
_FILE_FAILURES = (FileError, duckdb.Error, OSError, EOFError)


@dataclass(frozen=True)
class _Attempt:
    """The facts about one load attempt known before reading the file."""

    file: LandingFile
    file_seq: int
    checksum: str
    started_at: datetime

    def entry(
        self,
        status: str,
        *,
        encoding: str | None = None,
        counts: tuple[int, int, int, int] = (0, 0, 0, 0),
        extra_columns: tuple[str, ...] = (),
        error: str | None = None,
    ) -> LedgerEntry:
        return LedgerEntry(
            self.file_seq,
            self.file.object,
            self.file.source_file,
            self.file.path.stat().st_size,
            self.checksum,
            self.file.format,
            encoding,
            *counts,
            ", ".join(extra_columns),
            status,
            error,
            self.started_at,
            _utc_naive(datetime.now(UTC)),
        )


def _utc_naive(moment: datetime) -> datetime:
    """Warehouse timestamps are naive UTC; a naive ``now`` is taken to be UTC already."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


@dataclass(frozen=True)
class _ReadAhead:
    """What is read of a file before its turn: its sha256 and, for a text extract that
    is not known already, its records (None: split in its turn)."""

    checksum: str
    layout: records.Layout | None = None


def _hash_and_split(file: LandingFile, loaded: frozenset[tuple[str, str]]) -> _ReadAhead:
    checksum = _sha256(file.path)
    layout = None
    if (file.object, checksum) not in loaded:
        # A file that cannot be split here is split again in its turn, which raises
        # the same error where the ledger records it.
        with contextlib.suppress(Exception):
            layout = split_ahead(file)
    return _ReadAhead(checksum, layout)


def _read_ahead(
    file: LandingFile, known: LoadedFiles, rehash: bool, reader: ThreadPoolExecutor, loaded: frozenset[tuple[str, str]]
) -> Future[_ReadAhead]:
    """The file's sha256 from the ledger when the quick check vouches for it (the file
    is then skipped); else the file is hashed and split by ``reader``. ``loaded``: the
    ledger's (object, checksum) pairs when the run began."""
    if not rehash:
        stat = file.path.stat()
        latest = known.latest.get((file.object, file.source_file, stat.st_size))
        modified = _utc_naive(datetime.fromtimestamp(stat.st_mtime, UTC))
        # The Parquet lake gives its timestamps back with a UTC offset.
        if latest is not None and modified < _utc_naive(latest[1]) - QUICK_CHECK_MARGIN:
            vouched: Future[_ReadAhead] = Future()
            vouched.set_result(_ReadAhead(latest[0]))
            return vouched
    return reader.submit(_hash_and_split, file, loaded)


_ERROR_CHARS = 300


def _describe(error: Exception, file: LandingFile, workdir: Path) -> str:
    """What went wrong, naming the file as the ledger does and without its content:
    DuckDB's messages quote the line they stopped at ("Original Line: ...", "Input: ...")
    and end in hints about reader options and the query text. Errors travel to the
    ledger, the run's failure and alerts."""
    text = str(error)
    if isinstance(error, duckdb.Error):
        lines = str(error).splitlines()
        kept = takewhile(lambda line: line.strip() and not line.startswith("Possible"), lines)
        text = " ".join(line.strip() for line in kept if not line.startswith("Original Line"))
        text = text.split(" Input: ")[0]
    # DuckDB names the file by the literal path it read (readers.literal_path) or a copy.
    text = re.sub(
        re.escape(str(workdir)) + r"/[\w.-]+", file.source_file, text.replace(str(file.path), file.source_file)
    )
    return text if len(text) <= _ERROR_CHARS else text[:_ERROR_CHARS] + "… (truncated)"


@contextlib.contextmanager
def _in_any_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let the appends write out of file order, in parallel (a large file's raw rows
    write about a sixth faster): each row carries its record number as a column."""
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute("SET preserve_insertion_order = true")


def _load(
    con: duckdb.DuckDBPyConnection,
    sink: RawSink,
    attempt: _Attempt,
    layout: records.Layout | None,
    now: datetime,
    workdir: Path,
) -> FileResult:
    """Good rows go to raw and the others to quarantine, by complementary filters over
    one checked table, so every row read lands in exactly one of them; a record no row
    could be made of goes to the quarantine as a gap (gaps.py)."""
    file, file_seq = attempt.file, attempt.file_seq
    obj = contract.OBJECTS[file.object]
    # Checking runs before the write transaction: rows of a table created inside an open
    # transaction get transaction-local rowids, not the 0-based file order we rely on.
    source = open_source(con, file, workdir, layout)
    if source.headers is None or source.fill is None:
        sink.record(attempt.entry("empty", encoding=source.encoding))
        return FileResult(file.object, file.source_file, file_seq, "empty")
    headers = map_headers(obj, source.headers)
    gaps = source.fill(CHECKED_TABLE, lambda relation: checked_table_sql(obj, headers, relation, now))
    gap_rows = remove_placeholders(con, CHECKED_TABLE, gaps, list(headers.names))
    rows_read, duplicate_ids = con.execute(read_and_duplicates_sql()).fetchone()
    rows_read += gap_rows
    # A header with no records is a load of zero rows: it says the object exists and is empty.
    status = "loaded"
    with sink.transaction(), _in_any_order(con):
        sink.add_extra_columns(file.object, list(headers.extras))
        rows_loaded = sink.append_raw(file.object, good_rows(headers, file.source_file, file_seq, now))
        rows_quarantined = sink.append_quarantine(
            quarantine_rows(obj, file.source_file, file_seq, now).union(
                gap_quarantine_rows(obj.name, file.source_file, file_seq, now)
            )
        )
        counts = (rows_read, rows_loaded, rows_quarantined, duplicate_ids)
        sink.record(attempt.entry(status, encoding=source.encoding, counts=counts, extra_columns=headers.extras))
    return FileResult(file.object, file.source_file, file_seq, status, *counts, list(headers.extras))


def _ingest_file(
    con: duckdb.DuckDBPyConnection,
    sink: RawSink,
    file: LandingFile,
    ahead: _ReadAhead,
    known: LoadedFiles,
    now: datetime,
) -> FileResult:
    earlier = known.first_seq.get((file.object, ahead.checksum))
    if earlier is not None:
        return FileResult(file.object, file.source_file, earlier, "skipped", skipped=True)
    attempt = _Attempt(file, sink.next_file_seq(), ahead.checksum, _utc_naive(datetime.now(UTC)))
    with tempfile.TemporaryDirectory(prefix="fukan-ingest-") as workdir:
        try:
            result = _load(con, sink, attempt, ahead.layout, now, Path(workdir))
        except (*_FILE_FAILURES, *sink.file_failures) as error:
            message = f"{file.source_file}: {_describe(error, file, Path(workdir))}"
            sink.record(attempt.entry("failed", error=message))
            return FileResult(file.object, file.source_file, attempt.file_seq, "failed", error=message)
        finally:
            for table in WORK_TABLES:
                con.execute(f"DROP TABLE IF EXISTS {table}")
    known.add(file.object, ahead.checksum, attempt.file_seq, result.status)
    return result


@contextlib.contextmanager
def _open_sink(target: str, warehouse: Path | None) -> Iterator[tuple[duckdb.DuckDBPyConnection, RawSink]]:
    """The processing connection and the sink for ``target``.

    For DuckDB both are the warehouse file; for PostgreSQL and Spark the processing
    connection is an in-memory DuckDB (nothing is kept there), the server comes from
    FUKAN_PG_* and the Parquet lake is the folder ``warehouse``.
    """
    if target == "duckdb":
        if warehouse is None:
            raise ValueError("the duckdb target needs the warehouse file")
        warehouse = Path(warehouse)
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(warehouse)) as con:
            yield con, DuckDBWarehouse(con)
    elif target == "postgres":
        from orchestration.ingest.postgres_writer import PostgresWarehouse

        with duckdb.connect(":memory:") as con, PostgresWarehouse.connect(con, PostgresSettings.from_env()) as sink:
            yield con, sink
    elif target == "spark":
        from orchestration.ingest.parquet_writer import ParquetLake

        if warehouse is None:
            raise ValueError("the spark target needs the Parquet lake folder")
        with duckdb.connect(":memory:") as con:
            yield con, ParquetLake(con, Path(warehouse))
    else:
        raise ValueError(f"unknown ingest target {target!r}; expected one of {', '.join(INGEST_TARGETS)}")


def ingest_landing(
    landing_dir: Path,
    warehouse: Path | None = None,
    *,
    target: str = "duckdb",
    objects: list[str] | None = None,
    progress: bool = True,
    now: datetime | None = None,
    rehash: bool = False,
) -> IngestResult:
    """Load every landing file not loaded before into the warehouse of ``target``.

    ``target`` is ``duckdb`` (the file ``warehouse``, created if needed), ``postgres``
    (the server FUKAN_PG_* names; ``warehouse`` is not used) or ``spark`` (the Parquet
    lake folder ``warehouse``, see parquet_writer.py). ``objects`` limits the run
    to some contract objects; ``now`` is the load time, used for ``_loaded_at`` and to
    reject future-dated records (default: the clock). ``rehash`` reads every file to
    compare its checksum with the ledger, even one the quick check would skip
    (``QUICK_CHECK_MARGIN``). Connections are closed on return,
    so dbt can open the DuckDB file next in the same process.
    """
    load_time = _utc_naive(now or datetime.now(UTC))
    files, ignored = discover(Path(landing_dir), objects)
    results = []
    with _open_sink(target, warehouse) as (con, sink):
        # The contract says a timestamp without an offset is UTC; TIMESTAMPTZ casts read
        # such text in the session time zone.
        con.execute("SET TimeZone = 'UTC'")
        # The checked table must be filled in file order: its rowid is the record number.
        con.execute("SET preserve_insertion_order = true")
        # Progress is the bar over files; DuckDB's own bars would interleave with it.
        con.execute("SET enable_progress_bar = false")
        sink.ensure_tables()
        known = sink.loaded_files()
        # Files are hashed and split into records ahead, in a thread (hashlib and numpy
        # let go of the GIL), while earlier files load.
        reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fukan-ingest-read-ahead")
        try:
            loaded = frozenset(known.first_seq)
            aheads = [_read_ahead(file, known, rehash, reader, loaded) for file in files]
            bar = tqdm(files, desc="ingest", unit="file", disable=not progress)
            for file, ahead in zip(bar, aheads, strict=True):
                bar.set_postfix_str(file.source_file)
                results.append(_ingest_file(con, sink, file, ahead.result(), known, load_time))
        finally:
            reader.shutdown(cancel_futures=True)
    missing = [
        name
        for name in (objects or contract.OBJECTS)
        if contract.OBJECTS[name].required_object and name not in known.objects
    ]
    return IngestResult(results, ignored, missing)
