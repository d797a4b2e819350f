"""Splitting a text extract into records, the count every DuckDB read is checked against,
down to chunk boundaries that fall inside quotes, line ends and over-long lines."""

from __future__ import annotations

import csv
import io

import pytest

from orchestration.ingest import records
from orchestration.ingest.errors import FileError


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch):
    """Seven-byte reads, so quotes, doubled quotes and CRLF straddle chunk boundaries."""
    monkeypatch.setattr(records, "CHUNK_BYTES", 7)


def _split(data: bytes, **options) -> records.Layout:
    return records.split(lambda: io.BytesIO(data), **{"quoted": True, **options})


CSV = (
    b'\xef\xbb\xbf"id","note"\r\n'
    b'1,"two\r\nlines, ""quoted"""\r\n'
    b"\r\n"  # a blank line: no record
    b'2,""\r\n'
    b'3,"a\n\nb"\r\n'
    b"\n"
    b"4,last without a line end"
)


@pytest.mark.parametrize("exact", [False, True])
def test_records_are_counted_as_csv_reads_them(exact):
    layout = _split(CSV, exact=exact)
    assert (layout.header, layout.lines, layout.blank_lines, layout.long_lines) == (b'"id","note"', 6, [2, 5], [])
    with io.StringIO(CSV.decode("utf-8-sig"), newline="") as text:
        assert layout.records == sum(1 for row in csv.reader(text) if row) - 1  # Python's count, less the header


def test_lines_are_given_back_whole_across_chunks():
    assert list(records.lines(lambda: io.BytesIO(CSV), _split(CSV), quoted=True)) == [
        (1, b'1,"two\r\nlines, ""quoted"""\r'),
        (2, b"\r"),
        (3, b'2,""\r'),
        (4, b'3,"a\n\nb"\r'),
        (5, b""),
        (6, b"4,last without a line end"),
    ]


def test_a_quote_inside_an_unquoted_value_is_a_literal_to_the_exact_split_only():
    data = b'id,note\n1,ab"c\n2,x\n3,y"z\n4,w\n'
    assert _split(data).records == 2  # parity joins lines 1-3: why the loader re-splits on a mismatch
    assert _split(data, exact=True).records == 4


def test_json_lines_are_lines_whatever_their_quotes():
    layout = _split(b'{"a": "x\\"y"}\n\n{"a": "\\""}', quoted=False)
    assert (layout.header, layout.lines, layout.blank_lines) == (b"", 3, [2])


def test_an_overlong_line_is_found_and_never_held(monkeypatch):
    monkeypatch.setattr(records, "MAX_RECORD_BYTES", 20)
    data = b"id,note\n1,short\n" + b"A" * 50 + b"\n3,short\n" + b"B" * 21
    layout = _split(data)
    assert (layout.lines, layout.long_lines) == (4, [2, 4])
    assert list(records.lines(lambda: io.BytesIO(data), layout, quoted=True)) == [
        (1, b"1,short"),
        (2, None),
        (3, b"3,short"),
        (4, None),
    ]


def test_a_header_line_longer_than_the_limit_fails_before_the_rest_is_read(monkeypatch):
    monkeypatch.setattr(records, "MAX_HEADER_BYTES", 10)
    read = []

    class Stream(io.BytesIO):
        def read(self, size=-1):
            read.append(size)
            return super().read(size)

    with pytest.raises(FileError, match=r"^header line longer than 10 bytes$"):
        records.split(lambda: Stream(b"A" * 1000), quoted=True)
    assert len(read) == 2  # 14 bytes read of 1000


def test_a_nul_byte_is_binary_data():
    with pytest.raises(FileError, match=r"^binary data, not text: a NUL byte at byte 10$"):
        _split(b"id,note\n1,\x00\n")
