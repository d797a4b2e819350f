"""Cast a file's text columns to contract types and say, per row, what is wrong with it.

Everything is one vectorised SQL statement over the reader's relation, materialised as
a temporary table filled in file order, so its rowid + 1 is the data record number.
Good rows and quarantine rows are then two selects over that table, which any writer can
consume. The statement relies on the session time zone being UTC, so that a timestamp
without an offset is read as UTC.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from orchestration import contract
from orchestration.contract import Column, CrmObject
from orchestration.ingest.headers import HeaderMap
from orchestration.ingest.sql import ident, literal, timestamp_literal
from orchestration.ingest.tables import QUARANTINE_COLUMNS, Rows

CHECKED_TABLE = "_ingest_checked"

# Record timestamps that cannot lie in the future; activity times (a planned event) can.
FUTURE_CHECKED = ("created_date", "system_modstamp", "last_modified_date")
FUTURE_TOLERANCE = timedelta(days=1)
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
        f"CASE WHEN length({{t}}) = 10 THEN try_cast({{t}} AS DATE) "
        f"ELSE CAST({_UTC_TIMESTAMP} AS DATE) END"
    ),
    contract.BOOLEAN: (
        "CASE WHEN lower({t}) IN ('true', '1', 'yes') THEN true "
        "WHEN lower({t}) IN ('false', '0', 'no') THEN false END"
    ),
    # DuckDB rounds '12.5' to 13 when casting to BIGINT; agreeing with the DOUBLE
    # reading keeps '12' and '12.0' and rejects '12.5'.
    contract.INTEGER: (
        "CASE WHEN try_cast({t} AS DOUBLE) = try_cast({t} AS BIGINT) "
        "THEN try_cast({t} AS BIGINT) END"
    ),
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


def _reason(column: Column, i: int, now: datetime) -> str | None:
    """SQL for what is wrong with c{i} in a row (NULL when nothing); None when the
    column cannot be wrong."""
    name = column.name
    whens = []
    if column.required:
        empty = "id is empty" if name == "id" else f"{name} is empty (required)"
        whens.append(f"WHEN t{i} IS NULL THEN {literal(empty)}")
    if column.type in _CASTS:
        shown = (
            f"CASE WHEN length(c{i}) > {SHOWN_VALUE_CHARS} "
            f"THEN left(c{i}, {SHOWN_VALUE_CHARS}) || '…' ELSE c{i} END"
        )
        prefix, suffix = literal(f"{name}: '"), literal(f"' is not {_TYPE_WORDS[column.type]}")
        whens.append(f"WHEN t{i} IS NOT NULL AND v{i} IS NULL THEN {prefix} || {shown} || {suffix}")
    if name in FUTURE_CHECKED:
        suffix = literal(f" is in the future (loaded at {now.isoformat(timespec='seconds')})")
        whens.append(
            f"WHEN v{i} > {timestamp_literal(now + FUTURE_TOLERANCE)} "
            f"THEN {literal(name + ' ')} || strftime(v{i}, '%Y-%m-%dT%H:%M:%S') || {suffix}"
        )
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
    problem_columns = ", ".join(
        f"CASE WHEN r{i} IS NOT NULL THEN {literal(columns[i].name)} END" for i in reasons
    )
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
