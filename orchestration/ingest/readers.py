"""Present any extract format to validation the same way: all-text columns in file order.

A reader returns the file's header names and a SQL relation with VARCHAR columns
``c0..cN`` (one per header, positionally) whose rows come out in file order. Validation
never needs to know whether the file was CSV, Parquet or JSON lines, and values are cast
in one place (validate.py) whatever type a Parquet writer chose.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest.discovery import LandingFile
from orchestration.ingest.encoding import open_bytes, utf8_in_place, utf8_text
from orchestration.ingest.errors import FileError
from orchestration.ingest.sql import ident, literal


class NotUtf8(Exception):
    """A CSV file read in place as UTF-8 is not: its encoding must be detected."""


def is_not_utf8(error: Exception) -> bool:
    """Whether ``error`` says a file read in place was not UTF-8 (DuckDB's words for it)."""
    return isinstance(error, NotUtf8) or (
        isinstance(error, duckdb.InvalidInputException) and "Invalid unicode" in str(error)
    )


@dataclass(frozen=True)
class Source:
    headers: list[str]  # as written in the file
    relation: str  # SQL FROM item: VARCHAR columns c0..cN, rows in file order
    encoding: str | None  # text encoding of the original file; None for Parquet


def _positional(headers: list[str], table_function: str) -> str:
    columns = ", ".join(f"CAST({ident(h)} AS VARCHAR) AS c{i}" for i, h in enumerate(headers))
    return f"(SELECT {columns} FROM {table_function})"


def _csv_header(path: Path, gzipped: bool) -> list[str] | None:
    """The first CSV record, parsed by Python so DuckDB's renaming of odd or duplicate
    headers never hides what the file really says."""
    with io.TextIOWrapper(open_bytes(path, gzipped), encoding="utf-8-sig", newline="") as text:
        try:
            return next(csv.reader(text), None) or None
        except csv.Error as error:
            raise FileError(f"unreadable header row ({error})") from error


def _read_csv(file: LandingFile, workdir: Path, detect_encoding: bool) -> Source:
    gzipped = file.format == "csv.gz"
    text = utf8_text(file.path, gzipped, workdir) if detect_encoding else utf8_in_place(file.path, gzipped)
    try:
        headers = _csv_header(text.path, text.gzipped)
    except UnicodeDecodeError as error:  # only when read in place: detected text decodes
        raise NotUtf8(str(error)) from error
    if headers is None:
        raise FileError("file is empty (no header row)")
    # Dialect and types are fixed, not sniffed: Salesforce-style CSV with all text
    # columns, so a small file cannot be mis-detected and no value is pre-converted.
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(headers)))
    relation = (
        f"read_csv({literal(str(text.path))}, header = true, auto_detect = false, "
        f"columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"', "
        f"compression = '{'gzip' if text.gzipped else 'none'}')"
    )
    return Source(headers, relation, text.encoding)


def _read_parquet(con: duckdb.DuckDBPyConnection, file: LandingFile) -> Source:
    reader = f"read_parquet({literal(str(file.path))})"
    headers = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
    return Source(headers, _positional(headers, reader), None)


def _read_jsonl(con: duckdb.DuckDBPyConnection, file: LandingFile) -> Source:
    path = literal(str(file.path))
    # Keys in order of first appearance, case kept: read_json's own schema detection
    # would rename ``id`` next to ``Id`` and so hide a clash.
    keys = con.execute(
        "SELECT key FROM (SELECT key, row_number() OVER () AS seen FROM "
        f"(SELECT unnest(json_keys(json)) AS key FROM read_ndjson_objects({path}))) "
        "GROUP BY key ORDER BY min(seen)"
    ).fetchall()
    headers = [key for (key,) in keys]
    columns = ", ".join(f"{literal(h)}: 'VARCHAR'" for h in headers)
    reader = f"read_json({path}, format = 'newline_delimited', columns = {{{columns}}})"
    return Source(headers, _positional(headers, reader), "utf-8")


def open_source(
    con: duckdb.DuckDBPyConnection, file: LandingFile, workdir: Path, *, detect_encoding: bool = False
) -> Source:
    """Headers and row relation of one landing file; FileError when it has neither.

    A CSV file is read in place as UTF-8 unless ``detect_encoding``; when it is not
    UTF-8, its header raises ``NotUtf8`` here or its rows make DuckDB raise an error
    ``is_not_utf8`` recognises, and the caller opens it again detecting the encoding.
    """
    if file.format in ("csv", "csv.gz"):
        return _read_csv(file, workdir, detect_encoding)
    if file.path.stat().st_size == 0:
        raise FileError("file is empty")
    if file.format == "parquet":
        return _read_parquet(con, file)
    return _read_jsonl(con, file)
