"""Split a text extract into records without parsing its fields.

This is the count every DuckDB read of a CSV or JSON lines file is checked against
(rows in = rows staged + rows quarantined), and it finds what DuckDB's CSV reader must
not be given: a record longer than ``MAX_RECORD_BYTES`` makes that reader drop rows
without a word, and a header line of gigabytes is no header.

A record ends at a line feed outside double quotes (CSV) or at any line feed (JSON
lines). The quotes are counted with numpy, a few vector operations per 4 MB chunk.
Counting their parity is exact as long as every quote that opens a value stands at
the start of a field; a quote anywhere else in an unquoted value is a literal to DuckDB,
so such a file is split again by ``_exact_ends``, a state machine in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from orchestration.ingest.errors import FileError

CHUNK_BYTES = 1 << 22
# DuckDB's CSV reader stops trusting its own split of a file above this line size; a
# CRM record (Salesforce caps a long text field at 131,072 characters) stays far below.
MAX_RECORD_BYTES = 2_000_000
MAX_HEADER_BYTES = 1 << 20
BOM = b"\xef\xbb\xbf"

_LF, _CR, _QUOTE, _COMMA = 0x0A, 0x0D, 0x22, 0x2C


def _parity_ends(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, np.ndarray]]:
    """Each chunk with the offsets of its line feeds outside quotes."""
    quotes = 0  # seen so far
    for chunk in chunks:
        data = np.frombuffer(chunk, np.uint8)
        at = np.flatnonzero(data == _QUOTE)
        feeds = np.flatnonzero(data == _LF)
        outside = (np.searchsorted(at, feeds) + quotes) % 2 == 0
        yield chunk, feeds[outside]
        quotes += len(at)


def _exact_ends(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, np.ndarray]]:
    """As ``_parity_ends``, following DuckDB's reading of quotes: one opens a value only
    at the start of a field; inside, a doubled quote is a quote and a single one closes."""
    inside, previous = False, _LF
    pending = None  # offset of a quote inside a value whose next byte is not seen yet
    for chunk in chunks:
        data = np.frombuffer(chunk, np.uint8)
        ends = []
        for at in np.flatnonzero((data == _QUOTE) | (data == _LF)).tolist():
            byte = chunk[at]
            if pending is not None:
                doubled = byte == _QUOTE and at == pending + 1
                pending = None
                if doubled:
                    continue
                inside = False
            if inside:
                if byte == _QUOTE:
                    pending = at
            elif byte == _LF:
                ends.append(at)
            elif (chunk[at - 1] if at else previous) in (_COMMA, _LF):
                inside = True
        if pending is not None:
            # Its next byte is the next chunk's first, or one here that is neither.
            pending, inside = (-1, True) if pending == len(chunk) - 1 else (None, False)
        yield chunk, np.array(ends, dtype=np.int64)
        previous = chunk[-1]


def _plain_ends(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, np.ndarray]]:
    for chunk in chunks:
        yield chunk, np.flatnonzero(np.frombuffer(chunk, np.uint8) == _LF)


@dataclass
class Layout:
    """What splitting found. Lines are numbered from 1 after the header; a line holds
    one record, or nothing (a blank line, which no reader turns into a row)."""

    header: bytes | None  # the first record, without a byte-order mark or line end (CSV only)
    lines: int = 0
    blank_lines: list[int] = field(default_factory=list)
    long_lines: list[int] = field(default_factory=list)  # longer than MAX_RECORD_BYTES
    exact: bool = False  # split by the state machine

    @property
    def records(self) -> int:
        return self.lines - len(self.blank_lines)


def chunks_after_bom(stream: BinaryIO) -> Iterator[bytes]:
    """The stream in chunks, without a leading UTF-8 byte-order mark."""
    first = stream.read(CHUNK_BYTES).removeprefix(BOM)
    if first:
        yield first
    while chunk := stream.read(CHUNK_BYTES):
        yield chunk


def _ends_of(quoted: bool, exact: bool) -> Callable[[Iterator[bytes]], Iterator[tuple[bytes, np.ndarray]]]:
    return (_exact_ends if exact else _parity_ends) if quoted else _plain_ends


@dataclass
class _Cursor:
    """Where splitting stands between chunks."""

    line: int  # number of the line the next line feed ends (0: the header)
    start: int  # stream offset where that line starts
    last: int = _LF  # the byte before the next chunk


def split(open_stream: Callable[[], BinaryIO], *, quoted: bool, exact: bool = False) -> Layout:
    """Read the stream once. A quoted (CSV) file's first line is its header.

    FileError for a header line longer than ``MAX_HEADER_BYTES`` or a NUL byte (binary
    data: no CRM export holds one), each raised as soon as it is read.
    """
    layout = Layout(None if quoted else b"", exact=exact)
    cursor = _Cursor(line=0 if quoted else 1, start=0)
    head = bytearray()
    offset = 0
    with open_stream() as stream:
        for chunk, ends in _ends_of(quoted, exact)(chunks_after_bom(stream)):
            if 0 in chunk:
                raise FileError(f"binary data, not text: a NUL byte at byte {offset + chunk.index(0)}")
            if layout.header is None:
                head += chunk[: ends[0] if len(ends) else len(chunk)]
                if len(head) > MAX_HEADER_BYTES:
                    raise FileError(f"header line longer than {MAX_HEADER_BYTES:,} bytes")
                if len(ends):
                    layout.header = bytes(head).removesuffix(b"\r")
                    cursor.line, cursor.start = 1, offset + int(ends[0]) + 1
                    ends = ends[1:]
            _count(layout, cursor, offset, chunk, ends)
            offset += len(chunk)
            cursor.last = chunk[-1]
    if layout.header is None:
        layout.header = bytes(head).removesuffix(b"\r") if head else None
    elif offset > cursor.start:  # the last line has no line feed: end it at the end of the stream
        _count(layout, cursor, offset, b"\n", np.array([0]))
    return layout


def _count(layout: Layout, cursor: _Cursor, offset: int, chunk: bytes, ends: np.ndarray) -> None:
    """Add the lines whose line feeds are ``ends`` (offsets in ``chunk``, which starts at
    stream offset ``offset``)."""
    if not len(ends):
        return
    stops = ends + offset
    lengths = np.diff(stops, prepend=cursor.start - 1) - 1
    before = np.frombuffer(chunk, np.uint8)[np.maximum(ends - 1, 0)]
    before[ends == 0] = cursor.last
    numbers = np.arange(cursor.line, cursor.line + len(ends))
    layout.blank_lines += numbers[(lengths == 0) | ((lengths == 1) & (before == _CR))].tolist()
    layout.long_lines += numbers[lengths > MAX_RECORD_BYTES].tolist()
    layout.lines += len(ends)
    cursor.line += len(ends)
    cursor.start = int(stops[-1]) + 1


def lines(open_stream: Callable[[], BinaryIO], layout: Layout, *, quoted: bool) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the line feed) of every line after the header, in
    order, split as ``layout`` was; None for a line longer than MAX_RECORD_BYTES, which
    is never held in memory. For the rare files that need a pass line by line."""
    line = 0 if quoted else 1  # a CSV file's line 0 is its header
    part = bytearray()
    too_long = False
    with open_stream() as stream:
        for chunk, ends in _ends_of(quoted, layout.exact)(chunks_after_bom(stream)):
            start = 0
            for end in ends.tolist():
                if not too_long:
                    part += chunk[start:end]
                if line:
                    yield line, None if too_long or len(part) > MAX_RECORD_BYTES else bytes(part)
                line += 1
                part.clear()
                too_long, start = False, end + 1
            if not too_long:
                part += chunk[start:]
                too_long = len(part) > MAX_RECORD_BYTES
                if too_long:
                    part.clear()
    if line and (part or too_long):
        yield line, None if too_long else bytes(part)
