"""Decide a CSV file's text encoding and hand DuckDB something it can read as UTF-8.

Japanese Salesforce exports are often CP932 (Shift_JIS with Microsoft's extensions).
DuckDB reads UTF-8 only, so a CP932 file is transcoded to a temporary UTF-8 copy; these
files come from spreadsheet-sized exports, so the copy is cheap. UTF-8 is checked by
streaming the file through an incremental decoder, so a 3 GB extract is never held in
memory, and a file that is neither encoding fails with the position of its first bad byte.
"""
from __future__ import annotations

import codecs
import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

from orchestration.ingest.errors import FileError

CHUNK_BYTES = 1 << 22


@dataclass(frozen=True)
class Utf8Text:
    path: Path  # what DuckDB should read: the file itself or a transcoded copy
    encoding: str  # detected encoding of the original: utf-8, utf-8-sig or cp932
    gzipped: bool  # whether ``path`` is gzip-compressed


@dataclass(frozen=True)
class _Undecodable:
    offset: int  # 0-based byte offset in the (uncompressed) text
    line: int  # 1-based

    def describe(self) -> str:
        return f"undecodable bytes at byte {self.offset}, line {self.line}"


def open_bytes(path: Path, gzipped: bool) -> BinaryIO:
    return gzip.open(path, "rb") if gzipped else path.open("rb")


def _decode(stream: BinaryIO, encoding: str, out: TextIO | None = None) -> _Undecodable | None:
    """Decode the whole stream, writing the text to ``out`` if given; the first failure."""
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = newlines = 0
    while True:
        chunk = stream.read(CHUNK_BYTES)
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            # error.object is the decoder's pending bytes followed by this chunk.
            before = error.object[: error.start]
            return _Undecodable(consumed - pending + error.start, newlines + before.count(b"\n") + 1)
        if not chunk:
            return None
        if out is not None:
            out.write(text)
        consumed += len(chunk)
        newlines += chunk.count(b"\n")


def utf8_text(path: Path, gzipped: bool, workdir: Path) -> Utf8Text:
    """UTF-8 (BOM or not) is read in place; CP932 is transcoded into ``workdir``."""
    with open_bytes(path, gzipped) as stream:
        has_bom = stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        stream.seek(0)
        utf8_failure = _decode(stream, "utf-8")
    if utf8_failure is None:
        return Utf8Text(path, "utf-8-sig" if has_bom else "utf-8", gzipped)
    if has_bom:
        raise FileError(f"starts with a UTF-8 byte-order mark but is not UTF-8 text ({utf8_failure.describe()})")
    copy = workdir / f"{path.name}.utf8.csv"
    with open_bytes(path, gzipped) as stream, copy.open("w", encoding="utf-8", newline="") as out:
        cp932_failure = _decode(stream, "cp932", out)
    if cp932_failure is None:
        return Utf8Text(copy, "cp932", False)
    copy.unlink()
    # The encoding that decoded further is most likely the intended one; its failure
    # points at the damaged spot.
    furthest = max(utf8_failure, cp932_failure, key=lambda failure: failure.offset)
    raise FileError(f"not UTF-8 or CP932 text ({furthest.describe()})")
