"""Encoding of a text extract: the file's own, and the lines written in another."""

from __future__ import annotations

import gzip

import pytest

from orchestration.ingest import encoding
from orchestration.ingest.encoding import CP932, UTF8, Verdict, decide, encoding_of, open_bytes
from orchestration.ingest.errors import FileError

COMPANY = "株式会社髙橋商事 ①"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"00Q1,Open", "ascii"),
        (COMPANY.encode(UTF8), UTF8),
        (COMPANY.encode(CP932), CP932),
        ("行一".encode(CP932) + b"\x81\x20", None),  # an illegal CP932 pair
        (b"\xfd\xfe", None),  # bytes CP932 does not use and UTF-8 cannot start with
    ],
    ids=["ascii", "utf8", "cp932", "cp932-illegal-pair", "unused-bytes"],
)
def test_encoding_of_a_line(data, expected):
    assert encoding_of(data) == expected


def _lines(*texts: tuple[str, str]) -> list[tuple[int, bytes]]:
    return [(n, text.encode(enc)) for n, (text, enc) in enumerate(texts, start=1)]


def test_a_utf8_line_in_a_cp932_file_is_foreign():
    lines = _lines(("00Q1,髙橋", CP932), ("00Q2,Open", "ascii"), ("00Q3,株式会社", UTF8), ("00Q4,営業部", CP932))
    assert decide(lines, utf8_only=False) == Verdict(CP932, {3: "written in UTF-8, the rest of the file in CP932"})


def test_a_cp932_line_in_a_utf8_file_is_foreign_and_a_tie_is_utf8():
    lines = [*_lines(("00Q1,髙橋", UTF8), ("00Q2,株式会社", CP932)), (3, b"\xfd\xfe")]
    assert decide(lines, utf8_only=False) == Verdict(
        UTF8,
        {
            2: "written in CP932, the rest of the file in UTF-8",
            3: "neither UTF-8 nor CP932 text",
        },
    )


def test_a_byte_order_mark_or_json_means_utf8_whatever_most_lines_say():
    lines = _lines(("00Q1,髙橋", CP932), ("00Q2,株式会社", CP932))
    assert decide(lines, utf8_only=True).encoding == UTF8


def test_a_gzip_file_decompressing_beyond_the_plausible_ratio_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(encoding, "MIN_EXPANDED_BYTES", 1 << 20)
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"A" * (4 << 20)))  # 4 MiB in about 4 KiB
    limit = max(1 << 20, encoding.MAX_EXPANSION * path.stat().st_size)
    with open_bytes(path, gzipped=True) as stream, pytest.raises(FileError) as raised:
        while stream.read(1 << 16):
            pass
    assert str(raised.value) == (
        f"decompresses to more than {limit:,} bytes (100 times its size): not a plausible extract"
    )
