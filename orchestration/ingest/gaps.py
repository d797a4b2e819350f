"""Records a reader could not turn into a row of their own, and how they still count.

A reader fills the checked table with one row per record, in file order, so its rowid
+ 1 is the record's row number. A record DuckDB cannot read (a ragged CSV row, a line
that is not JSON, text in another encoding) is replaced by an empty placeholder row,
which keeps the numbering, and is deleted once the table is filled; the gap then goes
to the quarantine with its row number and reason, so rows in = rows loaded + rows
quarantined still holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from orchestration.ingest.sql import literal, timestamp_literal
from orchestration.ingest.tables import QUARANTINE_COLUMNS, Rows

GAPS_TABLE = "_ingest_gaps"
EXCERPT_CHARS = 200  # of a quarantined record, kept in the quarantine only


def shorten(text: str) -> str:
    return text[:EXCERPT_CHARS] + "…" if len(text) > EXCERPT_CHARS else text


@dataclass(frozen=True)
class Gap:
    row: int  # the record's row number (1-based, as ``_source_row``)
    reason: str | None  # None: a blank line, neither a record nor quarantined
    column: int | None = None  # position of the offending field in the file's header
    excerpt: str | None = None  # the start of the record as text


def remove_placeholders(con: duckdb.DuckDBPyConnection, table: str, gaps: list[Gap], column_names: list[str]) -> int:
    """Delete the gaps' rows from ``table`` and keep the quarantined ones in GAPS_TABLE;
    the number kept."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {GAPS_TABLE} (row BIGINT, column_name VARCHAR, reason VARCHAR, "
        "raw_record VARCHAR)"
    )
    if not gaps:
        return 0
    columns = [
        [g.row for g in gaps],
        [column_names[g.column] if g.column is not None and g.column < len(column_names) else None for g in gaps],
        [g.reason for g in gaps],
        [None if g.excerpt is None else json.dumps(g.excerpt, ensure_ascii=False) for g in gaps],
    ]
    con.execute(f"INSERT INTO {GAPS_TABLE} SELECT unnest(?), unnest(?), unnest(?), unnest(?)", columns)
    con.execute(f"DELETE FROM {table} WHERE rowid + 1 IN (SELECT row FROM {GAPS_TABLE})")
    con.execute(f"DELETE FROM {GAPS_TABLE} WHERE reason IS NULL")
    return con.execute(f"SELECT count(*) FROM {GAPS_TABLE}").fetchone()[0]


def gap_quarantine_rows(object_name: str, source_file: str, file_seq: int, now: datetime) -> Rows:
    return Rows(
        [name for name, _ in QUARANTINE_COLUMNS],
        f"SELECT {file_seq}, {literal(object_name)}, {literal(source_file)}, row, column_name, reason, "
        f"raw_record, {timestamp_literal(now)} FROM {GAPS_TABLE}",
    )
