"""Cast a file's text columns to contract types and say, per row, what is wrong with it.

Everything is one vectorised SQL statement over the reader's relation, materialised as
a temporary table filled in file order, so its rowid + 1 is the data record number.
Good rows and quarantine rows are then two selects over that table, which any writer can
consume. The statement relies on the session time zone being UTC, so that a timestamp
without an offset is read as UTC.
"""

from __future__ import annotations

import csv
import functools
from datetime import date, datetime, time
from pathlib import Path

from orchestration import config, contract
from orchestration.contract import Column, CrmObject
from orchestration.ingest.headers import HeaderMap
from orchestration.ingest.sql import ident, literal, timestamp_literal
from orchestration.ingest.tables import QUARANTINE_COLUMNS, Rows

CHECKED_TABLE = "_ingest_checked"

SHOWN_VALUE_CHARS = 100

# Each cast yields NULL for text that is not a value of the type. DuckDB's own
# TIMESTAMPTZ cast reads every ISO 8601 form the contract allows (``T`` or space,
# fractions, ``Z``, ``+09:00``, ``+0900``, Salesforce's ``.000+0000``); going through
# epoch microseconds to a naive UTC TIMESTAMP costs half of ``AT TIME ZONE 'UTC'``.
_UTC_TIMESTAMP = "make_timestamp(epoch_us(try_cast({t} AS TIMESTAMPTZ)))"
_CASTS = {
    contract.TIMESTAMP: _UTC_TIMESTAMP,
    # A plain date is cast directly (six times cheaper); a timestamp gives its UTC date.
    contract.DATE: (
        f"CASE WHEN length({{t}}) = 10 THEN try_cast({{t}} AS DATE) ELSE CAST({_UTC_TIMESTAMP} AS DATE) END"
    ),
    contract.BOOLEAN: (
        "CASE WHEN lower({t}) IN ('true', '1', 'yes') THEN true WHEN lower({t}) IN ('false', '0', 'no') THEN false END"
    ),
    # DuckDB rounds '12.5' to 13 when casting to BIGINT; agreeing with the DOUBLE
    # reading keeps '12' and '12.0' and rejects '12.5'.
    contract.INTEGER: ("CASE WHEN try_cast({t} AS DOUBLE) = try_cast({t} AS BIGINT) THEN try_cast({t} AS BIGINT) END"),
    contract.DOUBLE: "CASE WHEN isfinite(try_cast({t} AS DOUBLE)) THEN try_cast({t} AS DOUBLE) END",
}
_TYPE_WORDS = {
    contract.TIMESTAMP: "a timestamp",
    contract.DATE: "a date",
    contract.BOOLEAN: "a boolean",
    contract.INTEGER: "an integer",
    contract.DOUBLE: "a number",
}


def _column(obj: CrmObject, name: str) -> Column:
    """The contract column, or an optional text column for a pass-through extra."""
    return obj.column(name) if name in obj.column_names else Column(name)


def _value(column: Column, i: int) -> str:
    """Typed value of source column c{i} (text t{i}: NULL when empty)."""
    return _CASTS[column.type].format(t=f"t{i}") if column.type in _CASTS else f"t{i}"


@functools.cache
def _first_calendar_day(path: Path, modified_ns: int) -> date:
    with path.open(encoding="utf-8", newline="") as handle:
        return min(date.fromisoformat(row["calendar_date"]) for row in csv.DictReader(handle))


def first_calendar_day() -> date:
    """The first day of the business calendar seed as it is on disk (what dbt loads next)."""
    path = config.SEEDS_DIR / f"{contract.CALENDAR_SEED}.csv"
    return _first_calendar_day(path, path.stat().st_mtime_ns)


def _limits(column: Column, now: datetime) -> list[tuple[str, str, str]]:
    """(operator, SQL bound, words after the value) for each end of the column's
    plausible values: a typed value beyond one makes the row implausible."""
    bounds = column.bounds
    if bounds is None:
        return []
    if not bounds.is_time:
        return [
            (operator, repr(float(value)), f"is {words} {value:g}")
            for operator, value, words in (("<", bounds.low, "below"), (">", bounds.high, "above"))
            if value is not None
        ]
    if bounds.in_calendar:
        earliest = first_calendar_day()
        why = f"the first day of the business calendar (seeds/{contract.CALENDAR_SEED}.csv)"
    else:
        earliest, why = contract.EARLIEST_PLAUSIBLE, "the earliest plausible date"
    latest = now + bounds.ahead
    after = f"{contract.describe_span(bounds.ahead)} after the load at {now.isoformat(timespec='seconds')}"
    if column.type == contract.DATE:
        return [
            ("<", f"DATE '{earliest}'", f"is before {earliest}, {why}"),
            (">", f"DATE '{latest.date()}'", f"is after {latest.date()}, {after}"),
        ]
    return [
        ("<", timestamp_literal(datetime.combine(earliest, time())), f"is before {earliest}, {why}"),
        (">", timestamp_literal(latest), f"is after {latest.isoformat(timespec='seconds')}, {after}"),
    ]


def _reason(column: Column, i: int, now: datetime) -> str | None:
    """SQL for what is wrong with c{i} in a row (NULL when nothing); None when the
    column cannot be wrong."""
    name = column.name
    whens = []
    if column.required:
        empty = "id is empty" if name == "id" else f"{name} is empty (required)"
        whens.append(f"WHEN t{i} IS NULL THEN {literal(empty)}")
    # The value as the file has it, quoted and shortened: "amount: '-1e9' ".
    opening, closing = literal(f"{name}: '"), literal("' ")
    shown = (
        f"{opening} || CASE WHEN length(c{i}) > {SHOWN_VALUE_CHARS} "
        f"THEN left(c{i}, {SHOWN_VALUE_CHARS}) || '…' ELSE c{i} END || {closing}"
    )
    if column.type in _CASTS:
        not_a = literal(f"is not {_TYPE_WORDS[column.type]}")
        whens.append(f"WHEN t{i} IS NOT NULL AND v{i} IS NULL THEN {shown} || {not_a}")
    whens += [f"WHEN v{i} {op} {bound} THEN {shown} || {literal(words)}" for op, bound, words in _limits(column, now)]
    return f"CASE {' '.join(whens)} END" if whens else None


def checked_table_sql(obj: CrmObject, headers: HeaderMap, relation: str, now: datetime) -> str:
    """CREATE TEMP TABLE with typed columns named for the warehouse, then
    ``_problem_columns`` and ``_reasons`` ('' for a good row) and ``_raw_record`` (the
    row as JSON under the file's own header names, only for rejected rows)."""
    columns = [_column(obj, name) for name in headers.names]
    reasons = {i: r for i, column in enumerate(columns) if (r := _reason(column, i, now))}
    # Only the empty string is empty: trimming every value would cost as much as
    # parsing the file, and the timestamp and number casts accept surrounding spaces.
    texts = ", ".join(f"nullif(c{i}, '') AS t{i}" for i in range(len(columns)))
    values = ", ".join(f"{_value(column, i)} AS v{i}" for i, column in enumerate(columns))
    problems = ", ".join(f"{r} AS r{i}" for i, r in reasons.items())
    outputs = ", ".join(f"v{i} AS {ident(column.name)}" for i, column in enumerate(columns))
    problem_columns = ", ".join(f"CASE WHEN r{i} IS NOT NULL THEN {literal(columns[i].name)} END" for i in reasons)
    reason_list = ", ".join(f"r{i}" for i in reasons)
    raw_record = ", ".join(f"{literal(header)}, c{i}" for i, header in enumerate(headers.headers))
    return f"""
        CREATE OR REPLACE TEMP TABLE {CHECKED_TABLE} AS
        WITH texts AS (SELECT *, {texts} FROM {relation}),
        typed AS (SELECT *, {values} FROM texts),
        checked AS (SELECT *, {problems} FROM typed)
        SELECT
            {outputs},
            concat_ws(', ', {problem_columns}) AS _problem_columns,
            concat_ws('; ', {reason_list}) AS _reasons,
            CASE WHEN coalesce({reason_list}) IS NOT NULL
                THEN CAST(json_object({raw_record}) AS VARCHAR) END AS _raw_record
        FROM checked
    """


def good_rows(headers: HeaderMap, source_file: str, file_seq: int, loaded_at: datetime) -> Rows:
    """Rows for the raw table: the file's columns, then ingestion metadata."""
    select = ", ".join(ident(name) for name in headers.names)
    return Rows(
        [*headers.names, *contract.META_COLUMNS],
        f"SELECT {select}, {literal(source_file)}, rowid + 1, {file_seq}, "
        f"{timestamp_literal(loaded_at)} FROM {CHECKED_TABLE} WHERE _reasons = ''",
    )


def quarantine_rows(obj: CrmObject, source_file: str, file_seq: int, now: datetime) -> Rows:
    return Rows(
        [name for name, _ in QUARANTINE_COLUMNS],
        f"SELECT {file_seq}, {literal(obj.name)}, {literal(source_file)}, rowid + 1, "
        f"_problem_columns, _reasons, _raw_record, {timestamp_literal(now)} "
        f"FROM {CHECKED_TABLE} WHERE _reasons <> ''",
    )


def read_and_duplicates_sql() -> str:
    """Rows read, and good rows whose id an earlier good row of the file already had
    (loaded all the same: staging keeps the latest version)."""
    good = "FILTER (WHERE _reasons = '')"
    return f"SELECT count(*), count(*) {good} - count(DISTINCT id) {good} FROM {CHECKED_TABLE}"
