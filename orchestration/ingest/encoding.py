"""Decide a CSV file's text encoding and hand DuckDB something it can read as UTF-8.

Japanese Salesforce exports are often CP932 (Shift_JIS with Microsoft's extensions).
DuckDB reads UTF-8 only, so a CP932 file is transcoded to a temporary UTF-8 copy; these
files come from spreadsheet-sized exports, so the copy is cheap.

A file is first read in place as UTF-8 (``utf8_in_place``): DuckDB's CSV reader rejects
bytes that are not UTF-8 by itself, so a good file costs no pass in Python. Only when
it does (``readers.NotUtf8``) does ``utf8_text`` stream the file through incremental
decoders, so a 3 GB extract is never held in memory, and a file that is neither
encoding fails with the position of its first bad byte.
"""
from __future__ import annotations

import codecs
import gzip
import re
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


def open_bytes(path: Path, gzipped: bool) -> BinaryIO:
    return gzip.open(path, "rb") if gzipped else path.open("rb")


# Python's CP932 decoder maps the unused single bytes 0x80, 0xA0 and 0xFD-0xFF to a C1
# control and private-use characters, so binary garbage would "decode". Those, and control
# characters other than tab, CR and LF, are no text a CRM export contains.
_NOT_CP932_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80\uf8f0-\uf8f3]")


def _first_bad_byte(
    stream: BinaryIO, encoding: str, out: TextIO | None = None, reject: re.Pattern[str] | None = None
) -> int | None:
    """Decode the whole stream, writing the text to ``out`` if given; the 0-based offset
    of the first byte that does not decode (or starts a ``reject`` match), else None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = 0
    while True:
        chunk = stream.read(CHUNK_BYTES)
        # Bytes the decoder held back (an incomplete character) start this text.
        text_start = consumed - len(decoder.getstate()[0])
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            return text_start + error.start  # error.object is held-back bytes + chunk
        if reject is not None and (match := reject.search(text)):
            return text_start + len(text[: match.start()].encode(encoding))
        if not chunk:
            return None
        if out is not None:
            out.write(text)
        consumed += len(chunk)


def _where(path: Path, gzipped: bool, offset: int) -> str:
    """Lines are counted only for a bad file, so a good one is decoded once and no more."""
    newlines, remaining = 0, offset
    with open_bytes(path, gzipped) as stream:
        while remaining > 0 and (chunk := stream.read(min(CHUNK_BYTES, remaining))):
            newlines += chunk.count(b"\n")
            remaining -= len(chunk)
    return f"undecodable bytes at byte {offset}, line {newlines + 1}"


def _has_bom(path: Path, gzipped: bool) -> bool:
    with open_bytes(path, gzipped) as stream:
        return stream.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8


def utf8_in_place(path: Path, gzipped: bool) -> Utf8Text:
    """The file itself, taken to be UTF-8 without reading it through: its reader must
    reject bytes that are not (DuckDB's CSV reader does)."""
    return Utf8Text(path, "utf-8-sig" if _has_bom(path, gzipped) else "utf-8", gzipped)


def utf8_text(path: Path, gzipped: bool, workdir: Path) -> Utf8Text:
    """UTF-8 (BOM or not) is read in place; CP932 is transcoded into ``workdir``."""
    has_bom = _has_bom(path, gzipped)
    with open_bytes(path, gzipped) as stream:
        utf8_failure = _first_bad_byte(stream, "utf-8")
    if utf8_failure is None:
        return Utf8Text(path, "utf-8-sig" if has_bom else "utf-8", gzipped)
    if has_bom:
        raise FileError(
            "starts with a UTF-8 byte-order mark but is not UTF-8 text "
            f"({_where(path, gzipped, utf8_failure)})"
        )
    copy = workdir / f"{path.name}.utf8.csv"
    with open_bytes(path, gzipped) as stream, copy.open("w", encoding="utf-8", newline="") as out:
        cp932_failure = _first_bad_byte(stream, "cp932", out, reject=_NOT_CP932_TEXT)
    if cp932_failure is None:
        return Utf8Text(copy, "cp932", False)
    copy.unlink()
    # The encoding that decoded further is most likely the intended one; its failure
    # points at the damaged spot.
    furthest = max(utf8_failure, cp932_failure)
    raise FileError(f"not UTF-8 or CP932 text ({_where(path, gzipped, furthest)})")
