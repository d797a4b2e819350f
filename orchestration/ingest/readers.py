"""Present any extract format to validation the same way: all-text columns in file order.

A reader gives the file's header names and fills a table from a SQL relation with
VARCHAR columns ``c0..cN`` (one per header, positionally) whose rows come out in file
order, one per record. Validation never needs to know whether the file was CSV, Parquet
or JSON lines, and values are cast in one place (validate.py) whatever type a Parquet
writer chose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ingest import records
from orchestration.ingest.discovery import LandingFile
from orchestration.ingest.errors import FileError
from orchestration.ingest.gaps import Gap, shorten
from orchestration.ingest.sql import ident, literal
from orchestration.ingest.text_files import LINES_TABLE, TextFile, csv_headers, split_file

# fill(table, create): run ``create(relation)``, a statement filling ``table``; the
# records that got a placeholder row instead of their own (gaps.py).
Fill = Callable[[str, Callable[[str], str]], list[Gap]]


@dataclass(frozen=True)
class Source:
    headers: list[str] | None  # as written in the file; None when it holds nothing at all
    fill: Fill | None  # None with the headers
    text: TextFile | None = None  # a CSV or JSON lines file

    @property
    def encoding(self) -> str | None:
        """Text encoding of the original file, as far as reading it found; None for Parquet."""
        return self.text.encoding if self.text else None


def literal_path(file: LandingFile, workdir: Path) -> Path:
    """The landing file under a plain name in ``workdir``: DuckDB expands ``*``, ``?``,
    ``[`` and ``{`` in a path as a glob, and takes only names it can encode as UTF-8."""
    link = workdir / "landing-file"
    link.symlink_to(file.path.resolve())
    return link


def _positional(headers: list[str], table_function: str) -> str:
    columns = ", ".join(f"CAST({ident(h)} AS VARCHAR) AS c{i}" for i, h in enumerate(headers))
    return f"(SELECT {columns} FROM {table_function})"


def _text_options(file: LandingFile) -> dict[str, bool]:
    """How a CSV or JSON lines extract is read as bytes and split into records."""
    return {"gzipped": file.format == "csv.gz", "quoted": file.format != "jsonl"}


def split_ahead(file: LandingFile) -> records.Layout | None:
    """A text extract's records, found before its turn to load; None for Parquet."""
    return None if file.format == "parquet" else split_file(file.path, **_text_options(file))


def _read_csv(
    con: duckdb.DuckDBPyConnection, file: LandingFile, link: Path, workdir: Path, layout: records.Layout | None
) -> Source:
    text = TextFile(file.path, link, workdir, **_text_options(file), layout_ahead=layout)
    headers = csv_headers(text)
    if headers is None:
        return Source(None, None, text)
    return Source(headers, lambda table, create: text.fill(con, table, create, len(headers)), text)


def _read_parquet(con: duckdb.DuckDBPyConnection, file: LandingFile, link: Path) -> Source:
    if file.path.stat().st_size == 0:
        return Source(None, None)
    reader = f"read_parquet({literal(str(link))})"
    headers = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]

    def fill(table: str, create: Callable[[str], str]) -> list[Gap]:
        con.execute(create(_positional(headers, reader)))
        return []

    return Source(headers, fill)


def _json_pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


def _read_jsonl(
    con: duckdb.DuckDBPyConnection, file: LandingFile, link: Path, workdir: Path, layout: records.Layout | None
) -> Source:
    """Lines first, one row each; then the keys of the lines that are JSON objects. A
    line that is not one is quarantined as a whole."""
    text = TextFile(file.path, link, workdir, **_text_options(file), layout_ahead=layout)
    if not text.layout.records:
        return Source(None, None, text)
    gaps = text.fill(
        con,
        LINES_TABLE,
        lambda relation: (
            f"CREATE OR REPLACE TEMP TABLE {LINES_TABLE} AS SELECT c0 AS line, "
            "CASE WHEN json_valid(c0) THEN CASE WHEN json_type(c0) = 'OBJECT' THEN c0 END END AS object "
            f"FROM {relation}"
        ),
        1,
    )
    placeholders = {gap.row for gap in gaps}
    gaps += [
        Gap(row, "not a JSON object", excerpt=shorten(line))
        for row, line in con.execute(
            f"SELECT rowid + 1, line FROM {LINES_TABLE} WHERE line IS NOT NULL AND object IS NULL ORDER BY rowid"
        ).fetchall()
        if row not in placeholders
    ]
    # Keys in order of first appearance, case kept: read_json's own schema detection
    # would rename ``id`` next to ``Id`` and so hide a clash.
    headers = [
        key
        for (key,) in con.execute(
            "SELECT key FROM (SELECT key, row_number() OVER () AS seen FROM "
            f"(SELECT unnest(json_keys(object)) AS key FROM {LINES_TABLE} WHERE object IS NOT NULL)) "
            "GROUP BY key ORDER BY min(seen)"
        ).fetchall()
    ]
    if not headers:
        raise FileError("no line is a JSON object with keys")
    paths = ", ".join(literal(_json_pointer(key)) for key in headers)
    columns = ", ".join(f"v[{i + 1}] AS c{i}" for i in range(len(headers)))
    relation = f"(SELECT {columns} FROM (SELECT json_extract_string(object, [{paths}]) AS v FROM {LINES_TABLE}))"

    def fill(table: str, create: Callable[[str], str]) -> list[Gap]:
        con.execute(create(relation))
        return gaps

    return Source(headers, fill, text)


def open_source(
    con: duckdb.DuckDBPyConnection, file: LandingFile, workdir: Path, layout: records.Layout | None = None
) -> Source:
    """Headers and the way to fill a table with the rows of one landing file (a text
    extract split ahead by ``split_ahead`` gives its ``layout``)."""
    link = literal_path(file, workdir)
    if file.format in ("csv", "csv.gz"):
        return _read_csv(con, file, link, workdir, layout)
    if file.format == "parquet":
        return _read_parquet(con, file, link)
    return _read_jsonl(con, file, link, workdir, layout)
