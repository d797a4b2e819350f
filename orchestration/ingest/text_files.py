"""CSV and JSON lines files: read by DuckDB, checked against an independent count of
their records, and every record DuckDB cannot read quarantined instead of lost.

DuckDB reads the landing file in place, storing the records it rejects (a ragged row,
text that is not UTF-8) instead of failing on them. When it rejected any, or the file
needs transcoding, or a line is too long for its reader, the file is rewritten into a
temporary copy where each such record is a placeholder (gaps.py) and read again. The
number of rows DuckDB returns must equal the number of records ``records.split``
counted; a file where it does not fails, naming both numbers.
"""

from __future__ import annotations

import csv
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import BinaryIO

import duckdb

from orchestration.ingest import records
from orchestration.ingest.encoding import (
    CP932,
    UTF8,
    Verdict,
    cp932_text,
    decide,
    encoding_of,
    has_bom,
    is_utf8,
    open_bytes,
)
from orchestration.ingest.errors import FileError
from orchestration.ingest.gaps import Gap, shorten
from orchestration.ingest.sql import literal

REJECTS, REJECT_SCANS = "_ingest_rejects", "_ingest_reject_scans"
LINES_TABLE = "_ingest_lines"
# What DuckDB's rejects table calls the trouble with a record, in words for people. Its
# own messages are not used: a future version could quote the record in them.
_REJECT_REASONS = {
    "MISSING COLUMNS": "fewer fields than the header's {fields}",
    "TOO MANY COLUMNS": "more fields than the header's {fields}",
    "UNQUOTED VALUE": "a quoted value is not closed where its field ends",
    "INVALID ENCODING": "not UTF-8 text",
    "LINE SIZE OVER MAXIMUM": f"longer than {records.MAX_RECORD_BYTES:,} bytes",
}
_TOO_LONG = _REJECT_REASONS["LINE SIZE OVER MAXIMUM"]
# JSON text holds no raw control character, so this delimiter never splits a JSON line.
_JSON_LINE_DELIMITER = "\x1f"


def _excerpt(data: bytes | None) -> str | None:
    if data is None:
        return None
    return shorten(data.decode(UTF8) if is_utf8(data) else cp932_text(data) or data.decode(UTF8, errors="replace"))


def split_file(path: Path, *, gzipped: bool, quoted: bool) -> records.Layout:
    return records.split(lambda: open_bytes(path, gzipped), quoted=quoted)


@dataclass
class TextFile:
    """A CSV (``quoted``, with a header line) or JSON lines file on its way into a table
    of one row per line, in file order."""

    path: Path  # the landing file
    link: Path  # the same file under a name DuckDB reads literally
    workdir: Path
    gzipped: bool
    quoted: bool
    layout: records.Layout = field(init=False)
    verdict: Verdict | None = None  # set once any line was found not to be UTF-8
    dropped: dict[int, tuple[str, int | None]] = field(default_factory=dict)  # line -> (reason, column)
    excerpts: dict[int, str | None] = field(default_factory=dict)
    layout_ahead: InitVar[records.Layout | None] = None  # what ``split_file`` found before

    def __post_init__(self, layout_ahead: records.Layout | None) -> None:
        if layout_ahead is None:
            layout_ahead = split_file(self.path, gzipped=self.gzipped, quoted=self.quoted)
        self.layout = layout_ahead

    def _open(self) -> BinaryIO:
        return open_bytes(self.path, self.gzipped)

    @property
    def encoding(self) -> str:
        if self.verdict is not None:
            return self.verdict.encoding
        return "utf-8-sig" if has_bom(self.path, self.gzipped) else UTF8

    def decide_encoding(self) -> None:
        utf8_only = not self.quoted or has_bom(self.path, self.gzipped)
        self.verdict = decide(records.lines(self._open, self.layout, quoted=self.quoted), utf8_only=utf8_only)
        self.dropped |= {line: (reason, None) for line, reason in self.verdict.foreign.items()}

    def _row(self, line: int) -> int:
        """The row number of the record on ``line``: blank lines are no CSV record."""
        return line - bisect_left(self.layout.blank_lines, line) if self.quoted else line

    def _expected_rows(self) -> int:
        # One row per CSV record; DuckDB gives a blank line of a one-column read a row.
        return self.layout.records if self.quoted else self.layout.lines

    def fill(self, con: duckdb.DuckDBPyConnection, table: str, create: Callable[[str], str], fields: int) -> list[Gap]:
        """Run ``create`` (a statement filling ``table`` from a relation with VARCHAR columns
        c0..c<fields-1>) until DuckDB reads every record; the records it could not."""
        self._drop_long_lines()
        for _attempt in range(3):
            copied = self._needs_copy
            path = self._rewrite(fields) if copied else self.link
            for name in (REJECTS, REJECT_SCANS):
                con.execute(f"DROP TABLE IF EXISTS {name}")
            con.execute(create(self._relation(path, fields, gzipped=self.gzipped and not copied)))
            rejected = self._rejects(con)
            self._set_aside(rejected, fields, read_in_place=not copied)
            (rows,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            if rows + len(rejected) != self._expected_rows():
                if self.layout.exact:
                    raise FileError(
                        f"DuckDB read {rows + len(rejected):,} rows but the file holds {self._expected_rows():,} "
                        f"{'records' if self.quoted else 'lines'}: not loaded"
                    )
                # Parity counting is misled by a quote inside an unquoted value.
                self.layout = records.split(self._open, quoted=self.quoted, exact=True)
                self._drop_long_lines()
            elif not rejected:
                return self._gaps()
        raise FileError("DuckDB could not read every record even after setting unreadable ones aside")

    @property
    def _needs_copy(self) -> bool:
        return bool(self.dropped) or (self.verdict is not None and self.verdict.encoding == CP932)

    def _set_aside(self, rejected: dict[int, tuple[str, int | None]], fields: int, *, read_in_place: bool) -> None:
        """Drop the lines DuckDB rejected, with why; the file's encoding is decided when
        it rejected one as not UTF-8."""
        if self.verdict is None and any(kind == "INVALID ENCODING" for kind, _ in rejected.values()):
            self.decide_encoding()
        # Read in place, a CP932 file is mostly "not UTF-8"; its copy will be UTF-8.
        transcoding = read_in_place and self.verdict is not None and self.verdict.encoding == CP932
        for line, (kind, column) in rejected.items():
            if not (transcoding and kind == "INVALID ENCODING"):
                reason = _REJECT_REASONS.get(kind, f"unreadable ({kind.lower()})").format(fields=fields)
                self.dropped.setdefault(line, (reason, column))

    def _drop_long_lines(self) -> bool:
        """Set lines too long for DuckDB aside (confirmed by the exact split first, as a
        stray quote can make parity join many lines into one); whether there were any."""
        if self.layout.long_lines and self.quoted and not self.layout.exact:
            self.layout = records.split(self._open, quoted=True, exact=True)
        self.dropped |= {line: (_TOO_LONG, None) for line in self.layout.long_lines}
        return bool(self.layout.long_lines)

    def _relation(self, path: Path, fields: int, *, gzipped: bool) -> str:
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(fields))
        if self.quoted:
            dialect = "header = true, delim = ',', quote = '\"', escape = '\"'"
        else:
            dialect = f"header = false, delim = '{_JSON_LINE_DELIMITER}', quote = '', escape = ''"
        # Dialect and types are fixed, not sniffed, so a small file cannot be mis-detected
        # and no value is pre-converted.
        return (
            f"read_csv({literal(str(path))}, auto_detect = false, columns = {{{columns}}}, {dialect}, "
            f"compression = '{'gzip' if gzipped else 'none'}', "
            f"max_line_size = {records.MAX_RECORD_BYTES + 1024}, "
            f"store_rejects = true, rejects_table = '{REJECTS}', rejects_scan = '{REJECT_SCANS}')"
        )

    def _rejects(self, con: duckdb.DuckDBPyConnection) -> dict[int, tuple[str, int | None]]:
        """Line -> (DuckDB's error type, column position) of the first trouble DuckDB met
        on every line it rejected."""
        header_lines = 1 if self.quoted else 0
        # column_name, the reader's c<position>: its column_idx counts from 0 or 1 by error type.
        found = con.execute(
            f"SELECT line, arg_min(error_type, byte_position), "
            f"arg_min(CAST(ltrim(column_name, 'c') AS INTEGER), byte_position) "
            f"FROM {REJECTS} GROUP BY line ORDER BY line"
        ).fetchall()
        return {int(line) - header_lines: (kind, column) for line, kind, column in found}

    def _rewrite(self, fields: int) -> Path:
        """A UTF-8 copy with a placeholder for each dropped line (an empty record: a line of
        empty fields, or an empty JSON line), line for line as the landing file. At most
        three times the bytes ``open_bytes`` lets through (a CP932 half-width kana becomes
        three UTF-8 bytes), so a gzip file's copy is bounded by its own size too."""
        placeholder = b'""' + b"," * (fields - 1) if self.quoted else b""
        transcode = self.verdict is not None and self.verdict.encoding == CP932
        copy = self.workdir / ("copy.csv" if self.quoted else "copy.jsonl")
        self.excerpts = {}
        with copy.open("wb") as out:
            if self.quoted:
                out.write(self._text(self.layout.header or b"", transcode) + b"\n")
            for line, data in records.lines(self._open, self.layout, quoted=self.quoted):
                if line in self.dropped or data is None:
                    self.excerpts[line] = _excerpt(data)
                    self._name_foreign_field(line, data)
                    out.write(placeholder + b"\n")
                else:
                    out.write(self._text(data.removesuffix(b"\r"), transcode) + b"\n")
        return copy

    def _name_foreign_field(self, line: int, data: bytes | None) -> None:
        """For a line in another encoding, the first CSV field written in it."""
        if self.verdict is None or line not in self.verdict.foreign or data is None or not self.quoted:
            return
        # Latin-1 maps bytes to characters one to one, so fields come back byte for byte.
        fields = next(csv.reader([data.decode("latin-1")]), [])
        for position, value in enumerate(fields):
            raw = value.encode("latin-1")
            if encoding_of(raw) not in ("ascii", self.verdict.encoding):
                self.dropped[line] = (self.dropped[line][0], position)
                return

    @staticmethod
    def _text(data: bytes, transcode: bool) -> bytes:
        return (cp932_text(data) or "").encode(UTF8) if transcode and not data.isascii() else data

    def _gaps(self) -> list[Gap]:
        gaps = [
            Gap(self._row(line), reason, column, self.excerpts.get(line))
            for line, (reason, column) in sorted(self.dropped.items())
        ]
        if not self.quoted:
            gaps += [Gap(line, None) for line in self.layout.blank_lines]
        return gaps


def csv_headers(text: TextFile) -> list[str] | None:
    """The header line's field names, parsed by Python so DuckDB's renaming of odd or
    duplicate headers never hides what the file really says; None for an empty file."""
    header = text.layout.header
    if not header:
        if text.layout.records:
            raise FileError("the first line is blank: no header row")
        return None
    if not is_utf8(header):
        if cp932_text(header) is None:
            raise FileError("the header line is neither UTF-8 nor CP932 text")
        text.decide_encoding()
    decoded = header.decode(UTF8) if is_utf8(header) else cp932_text(header)
    try:
        return next(csv.reader([decoded]), None) or None
    except csv.Error as error:
        raise FileError(f"unreadable header row ({error})") from error
