"""Encoding detection, down to the byte offset of the first bad byte across read chunks."""
from __future__ import annotations

import gzip

import pytest

from orchestration.ingest import encoding
from orchestration.ingest.encoding import utf8_text
from orchestration.ingest.errors import FileError


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch):
    """Seven-byte reads, so multi-byte characters straddle chunk boundaries."""
    monkeypatch.setattr(encoding, "CHUNK_BYTES", 7)


@pytest.mark.parametrize("gzipped", [False, True])
def test_utf8_is_read_in_place(tmp_path, gzipped):
    data = "id,name\n1,日本語のテキスト\n".encode()
    path = tmp_path / "a.csv"
    path.write_bytes(gzip.compress(data) if gzipped else data)
    assert utf8_text(path, gzipped, tmp_path) == encoding.Utf8Text(path, "utf-8", gzipped)


def test_cp932_is_transcoded_to_a_utf8_copy(tmp_path):
    text = "id,name\r\n1,髙橋①ｶﾅ\r\n"
    path = tmp_path / "a.csv"
    path.write_bytes(text.encode("cp932"))
    result = utf8_text(path, False, tmp_path)
    assert result.encoding == "cp932" and not result.gzipped
    assert result.path.read_bytes() == text.encode("utf-8")


@pytest.mark.parametrize(
    ("data", "offset", "line"),
    [
        ("行一\n".encode() * 5 + "あい".encode()[:4] + b"\n", 5 * 7 + 3, 6),  # a truncated character
        ("行一\n".encode() * 3 + b"\xff\n", 3 * 7, 4),  # UTF-8 got further than CP932
        ("行一\n".encode("cp932") * 4 + b"\x81\x20\n", 4 * 5, 5),  # an illegal CP932 pair
        ("行一\n".encode("cp932") * 2 + b"\xfd\n", 2 * 5, 3),  # a byte CP932 does not use
    ],
    ids=["utf8-truncated", "utf8-further", "cp932-illegal-pair", "cp932-unused-byte"],
)
def test_neither_encoding_reports_the_furthest_bad_byte(tmp_path, data, offset, line):
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    with pytest.raises(FileError) as raised:
        utf8_text(path, False, tmp_path)
    assert str(raised.value) == f"not UTF-8 or CP932 text (undecodable bytes at byte {offset}, line {line})"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]  # the partial copy is gone
