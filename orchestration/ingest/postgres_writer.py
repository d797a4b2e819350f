"""The PostgreSQL sink: raw tables, ledger and quarantine on a PostgreSQL server.

Files are read and validated on an in-memory DuckDB processing connection, as for the
DuckDB sink; the rows each ``Rows.select`` gives there are written to a CSV file in a
temporary folder by DuckDB and streamed into PostgreSQL with ``COPY ... FROM STDIN``
(psycopg2's ``copy_expert``). Each landing file is one PostgreSQL transaction.

CSV round-trips every value the raw tables hold: NULL is an unquoted empty field and an
empty text a quoted one (DuckDB writes them so, PostgreSQL reads them so), text is UTF-8
with quotes and newlines quoted, timestamps are naive UTC like the DuckDB warehouse's.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb

from orchestration.config import PostgresSettings
from orchestration.ingest.sql import ident, literal
from orchestration.ingest.tables import Rows
from orchestration.ingest.writer import SqlWarehouse

try:
    import psycopg2
except ImportError as missing:  # the driver comes with the `warehouses` extra
    raise ImportError(
        "the PostgreSQL target needs psycopg2: install fukan with its warehouses extra "
        "(`make install-warehouses`, or pip install -e '.[warehouses]' -c constraints.txt)"
    ) from missing

# The DuckDB types of orchestration.ingest.tables, spelled for PostgreSQL. Timestamps stay
# `timestamp` (without time zone) holding UTC, as in the DuckDB warehouse: the dbt models
# and their contracts expect that type, and it does not depend on the session time zone.
POSTGRES_TYPES = {
    "VARCHAR": "text",
    "TIMESTAMP": "timestamp",
    "DATE": "date",
    "BOOLEAN": "boolean",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
}


class PostgresWarehouse(SqlWarehouse):
    placeholder = "%s"
    # A value PostgreSQL cannot hold (a NUL character in text, say) fails only its file.
    file_failures = (psycopg2.DataError,)

    def __init__(
        self, processing: duckdb.DuckDBPyConnection, pg: psycopg2.extensions.connection, spool_dir: Path
    ) -> None:
        self.processing = processing
        self.pg = pg  # in autocommit mode: see `connect`
        self.spool_dir = spool_dir

    @classmethod
    @contextlib.contextmanager
    def connect(cls, processing: duckdb.DuckDBPyConnection, settings: PostgresSettings) -> Iterator[PostgresWarehouse]:
        """A sink on the server ``settings`` names; the connection is closed on exit."""
        try:
            pg = psycopg2.connect(
                **settings.connect_kwargs(),
                client_encoding="UTF8",
                options="-c TimeZone=UTC",
                application_name="fukan-ingest",
            )
        except psycopg2.OperationalError as error:
            raise ConnectionError(f"cannot connect to PostgreSQL ({settings.describe()}): {error}".strip()) from error
        try:
            # Statements outside `transaction()` (tables, a failed file's ledger entry) commit at once.
            pg.autocommit = True
            # One loader per database, as DuckDB's file lock gives one per file: file_seq
            # and the skip-known-files check assume nobody else appends meanwhile.
            with pg.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(hashtext('fukan ingest'))")
                (locked,) = cursor.fetchone()
            if not locked:
                raise ConnectionError(f"another fukan ingest is loading into {settings.describe()}; try again later")
            with tempfile.TemporaryDirectory(prefix="fukan-copy-") as spool:
                yield cls(processing, pg, Path(spool))
        finally:
            pg.close()  # also releases the advisory lock

    def _sql_type(self, duckdb_type: str) -> str:
        return POSTGRES_TYPES[duckdb_type]

    def _execute(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self.pg.cursor() as cursor:
            cursor.execute(sql, list(params))
            return cursor.fetchall() if cursor.description else []

    def _append(self, table: str, rows: Rows) -> int:
        spool = self.spool_dir / "rows.csv"
        self.processing.execute(
            f"COPY ({rows.select}) TO {literal(str(spool))} (FORMAT csv, HEADER false, DELIMITER ',', QUOTE '\"')"
        )
        columns = ", ".join(ident(name) for name in rows.columns)
        try:
            with spool.open("rb") as stream, self.pg.cursor() as cursor:
                cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", stream)
                return cursor.rowcount
        finally:
            spool.unlink()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self._execute("BEGIN")
        try:
            yield
        except BaseException:
            self._execute("ROLLBACK")
            raise
        self._execute("COMMIT")
