"""Decide a text extract's encoding, and which of its lines are written in another.

Japanese Salesforce exports are often CP932 (Shift_JIS with Microsoft's extensions);
DuckDB reads UTF-8 only and rejects each line that is not. A file is therefore read in
place as UTF-8 first, costing no pass in Python. Only when DuckDB rejects a line as not
UTF-8, or the header is not, does ``decide`` look at every line: the encoding most of
its non-ASCII lines are written in is the file's, and the lines written in another
(a UTF-8 value pasted into a CP932 export reads as mojibake) are quarantined, not loaded.
"""

from __future__ import annotations

import codecs
import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Self

from orchestration.ingest.errors import FileError

UTF8, UTF8_BOM, CP932 = "utf-8", "utf-8-sig", "cp932"

# A CSV file compresses about ten times; a hundred times, and it is a decompression bomb.
MAX_EXPANSION = 100
MIN_EXPANDED_BYTES = 64 << 20


class _Bounded:
    """A gzip stream that fails when it decompresses to more than ``limit`` bytes."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self._stream = stream
        self._left = limit
        self._limit = limit

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._left -= len(data)
        if self._left < 0:
            raise FileError(
                f"decompresses to more than {self._limit:,} bytes ({MAX_EXPANSION} times its size): "
                "not a plausible extract"
            )
        return data

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()


def open_bytes(path: Path, gzipped: bool) -> BinaryIO:
    """The file's bytes, decompressed; a gzip file at most ``MAX_EXPANSION`` times its size."""
    if not gzipped:
        return path.open("rb")
    limit = max(MIN_EXPANDED_BYTES, MAX_EXPANSION * path.stat().st_size)
    return _Bounded(gzip.open(path, "rb"), limit)  # type: ignore[return-value]


def has_bom(path: Path, gzipped: bool) -> bool:
    with open_bytes(path, gzipped) as stream:
        return stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8


# Python's CP932 decoder maps the unused single bytes 0x80, 0xA0 and 0xFD-0xFF to a C1
# control and private-use characters, so binary garbage would "decode". Those, and control
# characters other than tab, CR and LF, are no text a CRM export contains.
_NOT_CP932_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80\uf8f0-\uf8f3]")


def cp932_text(data: bytes) -> str | None:
    """The text ``data`` is in CP932, or None."""
    try:
        text = data.decode(CP932)
    except UnicodeDecodeError:
        return None
    return None if _NOT_CP932_TEXT.search(text) else text


def is_utf8(data: bytes) -> bool:
    try:
        data.decode(UTF8)
    except UnicodeDecodeError:
        return False
    return True


def encoding_of(data: bytes) -> str | None:
    """'ascii', UTF8 or CP932 for the first that reads ``data``; None for neither.

    UTF-8 goes first: Japanese text in CP932 is almost never valid UTF-8 (its common
    lead bytes 0x81-0x9F are UTF-8 continuation bytes), while UTF-8 text often decodes
    as CP932, into mojibake.
    """
    if data.isascii():
        return "ascii"
    if is_utf8(data):
        return UTF8
    return CP932 if cp932_text(data) is not None else None


@dataclass(frozen=True)
class Verdict:
    encoding: str  # UTF8 or CP932
    foreign: dict[int, str] = field(default_factory=dict)  # line number -> why it is not loaded


def decide(lines: Iterable[tuple[int, bytes | None]], *, utf8_only: bool) -> Verdict:
    """The encoding of most non-ASCII lines (UTF-8 on a tie, or whenever ``utf8_only``:
    a byte-order mark or JSON), and the lines that are not in it."""
    by_encoding: dict[str | None, list[int]] = {UTF8: [], CP932: [], None: []}
    for number, data in lines:
        if data is not None and (encoding := encoding_of(data)) != "ascii":
            by_encoding[encoding].append(number)
    chosen = UTF8 if utf8_only or len(by_encoding[UTF8]) >= len(by_encoding[CP932]) else CP932
    other = CP932 if chosen == UTF8 else UTF8
    foreign = {n: f"written in {other.upper()}, the rest of the file in {chosen.upper()}" for n in by_encoding[other]}
    foreign |= {n: f"neither {chosen.upper()} nor {other.upper()} text" for n in by_encoding[None]}
    return Verdict(chosen, foreign)
