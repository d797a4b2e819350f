"""Hostile and messy landing files: every record accounted for, names taken literally,
links kept inside the landing folder, empty files harmless, and errors that name file,
line and column without quoting the rows."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from ingest_fixtures import LEAD_HEADER

from orchestration.cli import main
from orchestration.ingest import loader, records
from orchestration.ingest.discovery import LandingFile

LEAD_ROW = "00Q{n},2026-04-01,005A,Open"
TOO_LONG = f"longer than {records.MAX_RECORD_BYTES:,} bytes"


def _rows(*numbers: int) -> str:
    return "".join(LEAD_ROW.format(n=n) + "\n" for n in numbers)


@pytest.mark.parametrize("newline", ["\r\n", "\n"], ids=["crlf", "lf"])
def test_a_very_long_line_is_quarantined_and_the_rows_after_it_load(sandbox, newline):
    junk = b"A" * (40 << 20)
    sandbox.write(
        "lead/lead_1.csv",
        newline.encode().join(
            [LEAD_HEADER.encode(), LEAD_ROW.format(n=1).encode(), junk, LEAD_ROW.format(n=3).encode(), b""]
        ),
    )
    (file,) = sandbox.ingest().files
    assert (file.status, file.rows_read, file.rows_loaded, file.rows_quarantined) == ("loaded", 3, 2, 1)
    assert sandbox.rows("SELECT id, _source_row FROM raw.lead ORDER BY _source_row") == [("00Q1", 1), ("00Q3", 3)]
    assert sandbox.quarantine() == [("lead/lead_1.csv", 2, None, TOO_LONG)]


def test_two_long_lines_in_a_gzip_file_lose_nothing(sandbox):
    """DuckDB's reader, given such a file, dropped every row after the second long line."""
    junk = b"B" * (3 << 20)
    body = f"{LEAD_HEADER}\n{_rows(1)}".encode() + junk + f"\n{_rows(3, 4)}".encode() + junk + f"\n{_rows(6)}".encode()
    sandbox.write("lead/lead_1.csv.gz", body)
    (file,) = sandbox.ingest().files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (6, 4, 2)
    assert sandbox.rows("SELECT _source_row FROM raw.lead ORDER BY 1") == [(1,), (3,), (4,), (6,)]


def test_a_file_duckdb_reads_short_fails_naming_both_counts(sandbox, monkeypatch):
    """The independent count is a real check: were DuckDB to return fewer rows than the
    file has records, the file fails instead of loading short."""
    split = records.split

    def one_more(open_stream, **options):
        layout = split(open_stream, **options)
        layout.lines += 1
        return layout

    monkeypatch.setattr(records, "split", one_more)
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{_rows(1, 2)}")
    (file,) = sandbox.ingest(failures=True).files
    assert file.error == "lead/lead_1.csv: DuckDB read 2 rows but the file holds 3 records: not loaded"
    assert sandbox.rows("SELECT count(*) FROM raw.lead") == [(0,)]


def test_a_quote_inside_an_unquoted_value_keeps_every_row(sandbox):
    sandbox.write(
        "lead/lead_1.csv",
        f'{LEAD_HEADER},Title\n{LEAD_ROW.format(n=1)},5" tall\n'
        f'{LEAD_ROW.format(n=2)},x\n{LEAD_ROW.format(n=3)},"quoted"\n',
    )
    (file,) = sandbox.ingest().files
    assert (file.rows_read, file.rows_loaded) == (3, 3)
    assert sandbox.rows("SELECT title FROM raw.lead ORDER BY _source_row") == [('5" tall',), ("x",), ("quoted",)]


def test_a_ragged_row_after_a_stray_quote_is_set_aside_on_the_right_line(sandbox):
    sandbox.write(
        "lead/lead_1.csv",
        f'{LEAD_HEADER},Title\n{LEAD_ROW.format(n=1)},5" tall\n'
        f'{LEAD_ROW.format(n=2)},x,surplus\n{LEAD_ROW.format(n=3)},6" wide\n{LEAD_ROW.format(n=4)},y\n',
    )
    (file,) = sandbox.ingest().files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (4, 3, 1)
    assert sandbox.rows("SELECT _source_row, title FROM raw.lead ORDER BY 1") == [
        (1, '5" tall'),
        (3, '6" wide'),
        (4, "y"),
    ]
    assert sandbox.quarantine() == [("lead/lead_1.csv", 2, None, "more fields than the header's 5")]


@pytest.mark.parametrize("name", ["lead_*.csv", "lead_?.csv", "lead_[12].csv", "lead_{1,2}.csv"])
def test_glob_characters_in_a_file_name_are_literal(sandbox, name):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{_rows(1, 2)}")
    sandbox.write("lead/lead_2.csv", f"{LEAD_HEADER}\n{_rows(3)}")
    sandbox.write(f"lead/{name}", f"{LEAD_HEADER}\n{_rows(7, 8, 9)}")
    result = sandbox.ingest()
    assert {f.source_file: f.rows_read for f in result.files} == {
        "lead/lead_1.csv": 2,
        "lead/lead_2.csv": 1,
        f"lead/{name}": 3,
    }
    assert sandbox.rows("SELECT id FROM raw.lead WHERE _source_file = ? ORDER BY 1", [f"lead/{name}"]) == [
        ("00Q7",),
        ("00Q8",),
        ("00Q9",),
    ]


def test_a_utf8_value_in_a_cp932_file_is_quarantined_not_loaded_as_mojibake(sandbox):
    header = f"{LEAD_HEADER},Company\n".encode("cp932")
    sandbox.write(
        "lead/lead_1.csv",
        header
        + f"{LEAD_ROW.format(n=1)},髙橋商事\n".encode("cp932")
        + f"{LEAD_ROW.format(n=2)},株式会社\n".encode()
        + f"{LEAD_ROW.format(n=3)},営業部\n".encode("cp932"),
    )
    (file,) = sandbox.ingest().files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (3, 2, 1)
    assert sandbox.rows("SELECT id, company FROM raw.lead ORDER BY _source_row") == [
        ("00Q1", "髙橋商事"),
        ("00Q3", "営業部"),
    ]
    assert sandbox.quarantine() == [
        ("lead/lead_1.csv", 2, "company", "written in UTF-8, the rest of the file in CP932"),
    ]
    assert sandbox.rows("SELECT encoding FROM ingest.load_ledger") == [("cp932",)]


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "bom"])
def test_a_cp932_value_in_a_utf8_file_is_quarantined(sandbox, bom):
    sandbox.write(
        "lead/lead_1.csv",
        bom
        + f"{LEAD_HEADER},Company\n{LEAD_ROW.format(n=1)},髙橋商事\n".encode()
        + f"{LEAD_ROW.format(n=2)},株式会社\n".encode("cp932")
        + b"00Q3,2026-04-01,005A,Open,\xff\xfe\n",
    )
    sandbox.ingest()
    assert sandbox.rows("SELECT id, company FROM raw.lead") == [("00Q1", "髙橋商事")]
    assert sandbox.quarantine() == [
        ("lead/lead_1.csv", 2, "company", "written in CP932, the rest of the file in UTF-8"),
        ("lead/lead_1.csv", 3, "company", "neither UTF-8 nor CP932 text"),
    ]


def test_a_file_name_that_is_not_utf8_loads_under_a_readable_name(sandbox, capsys):
    raw_name = "リード_20261002.csv".encode("cp932")
    (sandbox.landing / "lead").mkdir()
    (sandbox.landing / "lead" / os.fsdecode(raw_name)).write_text(f"{LEAD_HEADER}\n{_rows(1)}")
    sandbox.write("lead/lead_2.csv", f"{LEAD_HEADER}\n{_rows(2)}")
    result = sandbox.ingest()
    readable = "lead/" + raw_name.decode("utf-8", "backslashreplace")
    assert sorted((f.source_file, f.status) for f in result.files) == [
        (readable, "loaded"),
        ("lead/lead_2.csv", "loaded"),
    ]
    assert readable.startswith("lead/\\x83\\x8a")
    assert sandbox.rows("SELECT id FROM raw.lead WHERE _source_file = ?", [readable]) == [("00Q1",)]
    print(result)  # the summary prints on any terminal
    assert readable in capsys.readouterr().out


def test_links_are_followed_only_inside_the_landing_folder(sandbox, tmp_path):
    outside = tmp_path / "elsewhere"
    (outside / "lead").mkdir(parents=True)
    (outside / "secret.csv").write_text(f"{LEAD_HEADER}\n{_rows(9)}")
    (outside / "lead" / "lead_9.csv").write_text(f"{LEAD_HEADER}\n{_rows(9)}")
    sandbox.write("archive/lead_1.csv", f"{LEAD_HEADER}\n{_rows(1)}")
    (sandbox.landing / "lead").mkdir()
    (sandbox.landing / "lead" / "lead_1.csv").symlink_to(sandbox.landing / "archive" / "lead_1.csv")
    (sandbox.landing / "lead" / "lead_2.csv").symlink_to(outside / "secret.csv")
    (sandbox.landing / "lead" / "lead_3.csv").symlink_to(sandbox.landing / "gone.csv")
    (sandbox.landing / "Task").symlink_to(outside / "lead", target_is_directory=True)
    (sandbox.landing / "user").symlink_to(sandbox.landing / "lead", target_is_directory=True)
    result = sandbox.ingest(objects=["lead", "user"])
    assert [(f.source_file, f.status) for f in result.files] == [("lead/lead_1.csv", "loaded")]
    assert [(i.path, i.reason) for i in result.ignored] == [
        ("archive/lead_1.csv", "no contract object named 'archive'"),
        ("lead/lead_2.csv", "link to a target outside the landing folder"),
        ("lead/lead_3.csv", "broken link"),
        ("Task", "link to a target outside the landing folder"),
        ("user", "link to a folder already read"),
    ]
    assert "  Task: link to a target outside the landing folder" in str(result).splitlines()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("lead/lead_2.csv", b""),
        ("lead/lead_2.csv", b"\xef\xbb\xbf"),
        ("lead/lead_2.csv.gz", b""),
        ("lead/lead_2.jsonl", b""),
        ("lead/lead_2.jsonl", b"\n\n"),
        ("lead/lead_2.parquet", b""),
    ],
    ids=["zero-bytes", "bom-only", "empty-gz", "empty-jsonl", "blank-jsonl", "empty-parquet"],
)
def test_an_empty_delta_is_recorded_empty_and_blocks_nothing(sandbox, name, content):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{_rows(1)}")
    sandbox.write(name, content)
    result = sandbox.ingest(objects=["lead"])
    assert [(f.source_file, f.status, f.rows_read) for f in result.files] == [
        ("lead/lead_1.csv", "loaded", 1),
        (name, "empty", 0),
    ]
    assert result.problems() == []
    assert sandbox.rows("SELECT source_file, status FROM ingest.load_ledger ORDER BY file_seq") == [
        ("lead/lead_1.csv", "loaded"),
        (name, "empty"),
    ]
    assert [f.status for f in sandbox.ingest(objects=["lead"]).files] == ["skipped", "skipped"]


def test_a_required_object_with_only_an_empty_file_is_missing(sandbox):
    sandbox.write("lead/lead_1.csv", b"")
    result = sandbox.ingest(objects=["lead"])
    assert result.missing_required == ["lead"]


def test_a_header_without_records_is_a_load_of_zero_rows_that_satisfies_a_required_object(sandbox):
    """An organisation with no opportunities yet exports the header alone."""
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\r\n")
    result = sandbox.ingest(objects=["lead"])
    assert [(f.status, f.rows_read, f.rows_loaded) for f in result.files] == [("loaded", 0, 0)]
    assert result.missing_required == [] and result.problems() == []
    assert [f.status for f in sandbox.ingest(objects=["lead"]).files] == ["skipped"]


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        ("00Q2,2026-04-01,005A,Open,Tanaka 090-1234-5678", None, "more fields than the header's 4"),
        ("00Q2,2026-04-01", "owner_id", "fewer fields than the header's 4"),
        ('00Q2,2026-04-01,005A,"Open"x', "status", "a quoted value is not closed where its field ends"),
    ],
    ids=["too-many", "too-few", "bad-quote"],
)
def test_a_ragged_row_is_quarantined_with_its_row_and_the_rest_loads(sandbox, line, column, reason):
    sandbox.write("lead/lead_1.csv", f'{LEAD_HEADER}\n{_rows(1)}\n"00Q\n1b",2026-04-01,005A,Open\n{line}\n{_rows(3)}')
    (file,) = sandbox.ingest().files
    assert (file.status, file.error, file.rows_read, file.rows_loaded) == ("loaded", None, 4, 3)
    # Row 2 spans two lines and a blank line follows it: rows count records.
    assert sandbox.rows("SELECT id, _source_row FROM raw.lead ORDER BY _source_row") == [
        ("00Q1", 1),
        ("00Q\n1b", 2),
        ("00Q3", 4),
    ]
    assert sandbox.quarantine() == [("lead/lead_1.csv", 3, column, reason)]
    (raw_record,) = sandbox.rows("SELECT raw_record FROM ingest.quarantine")[0]
    assert raw_record.startswith('"00Q2,2026-04-01')  # the record's text, kept in the quarantine only


def test_a_malformed_json_line_is_quarantined_with_its_line_number(sandbox):
    sandbox.write(
        "lead/lead_1.jsonl",
        '{"Id": "00Q1", "CreatedDate": "2026-04-01", "OwnerId": "U", "Status": "Open"}\n'
        "\n"
        '{"Id": oops}\n'
        "[1, 2]\n"
        '{"Id": "00Q5", "CreatedDate": "2026-04-01", "OwnerId": "U", "Status": "Open"}\n',
    )
    (file,) = sandbox.ingest().files
    assert (file.rows_read, file.rows_loaded, file.rows_quarantined) == (4, 2, 2)
    assert sandbox.rows("SELECT id, _source_row FROM raw.lead ORDER BY 2") == [("00Q1", 1), ("00Q5", 5)]
    assert sandbox.quarantine() == [
        ("lead/lead_1.jsonl", 3, None, "not a JSON object"),
        ("lead/lead_1.jsonl", 4, None, "not a JSON object"),
    ]


def test_fukan_ingest_exits_non_zero_when_a_required_object_has_no_loaded_file(sandbox, capsys):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{_rows(1)}")
    code = main(["ingest", "--landing", str(sandbox.landing), "--warehouse", str(sandbox.warehouse), "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert "required object user has no loaded file (expected by the contract)" in err


def test_a_header_line_beyond_the_limit_fails_early(sandbox):
    sandbox.write("lead/lead_1.csv.gz", b"A" * (records.MAX_HEADER_BYTES * 3))
    (file,) = sandbox.ingest(failures=True).files
    assert file.error == f"lead/lead_1.csv.gz: header line longer than {records.MAX_HEADER_BYTES:,} bytes"


def _zeros_gzip(path, compressed_bytes: int, header: bytes = b"") -> None:
    """A valid gzip file of about ``compressed_bytes`` that holds ~1000 times as many
    NULs: one 64 MiB member of zeros, written again and again."""
    member = gzip.compress(bytes(64 << 20), compresslevel=9)
    with path.open("wb") as out:
        out.write(gzip.compress(header))
        for _ in range(compressed_bytes // len(member)):
            out.write(member)


_PEAK_RSS = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-c", sys.argv[1]], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
_INGEST = """
import sys
from pathlib import Path
from orchestration.ingest import ingest_landing
result = ingest_landing(Path(sys.argv[1]), Path(sys.argv[2]), progress=False)
for file in result.files:
    print(file.source_file, file.status, file.error)
"""


def test_ingesting_hostile_25_mb_gzip_files_peaks_under_1_gib(sandbox):
    """Decompression bombs (about 25 GiB of NULs in 25 MB, with and without a header
    line) and a 2 GiB header line: memory is bounded by design, each fails early."""
    (sandbox.landing / "lead").mkdir()
    _zeros_gzip(sandbox.landing / "lead" / "lead_1.csv.gz", 25 << 20)
    _zeros_gzip(sandbox.landing / "lead" / "lead_2.csv.gz", 25 << 20, header=f"{LEAD_HEADER}\n".encode())
    sandbox.write("lead/lead_3.csv.gz", b"A" * (2 << 30 >> 6))  # 32 MiB of one header line, compressed
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            _PEAK_RSS,
            _INGEST.replace("sys.argv[1]", repr(str(sandbox.landing))).replace(
                "sys.argv[2]", repr(str(sandbox.warehouse))
            ),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=os.getcwd(),
    )
    *outcomes, peak_kib = run.stdout.splitlines()
    assert outcomes == [
        "lead/lead_1.csv.gz failed lead/lead_1.csv.gz: binary data, not text: a NUL byte at byte 0",
        "lead/lead_2.csv.gz failed lead/lead_2.csv.gz: binary data, not text: a NUL byte at byte "
        f"{len(LEAD_HEADER) + 1}",
        f"lead/lead_3.csv.gz failed lead/lead_3.csv.gz: header line longer than {records.MAX_HEADER_BYTES:,} bytes",
    ]
    assert int(peak_kib) < 1 << 20, f"peak RSS {int(peak_kib) >> 10} MiB"


def test_errors_name_file_and_line_but_never_quote_the_row():
    error = duckdb.InvalidInputException(
        "Invalid Input Error: CSV Error on Line: 3\nOriginal Line: 00Q2,Tanaka,090-1234-5678\n"
        "Expected Number of Columns: 4 Found: 5\n\nPossible fixes: ..."
    )
    described = loader._describe(error, _file("lead/lead_1.csv"), Path("/tmp/nowhere"))
    assert described == "Invalid Input Error: CSV Error on Line: 3 Expected Number of Columns: 4 Found: 5"
    json_error = duckdb.InvalidInputException(
        'Malformed JSON at byte 7 of input: unexpected character.  Input: "{"Id": oops}"'
    )
    assert "oops" not in loader._describe(json_error, _file("lead/lead_1.jsonl"), Path("/tmp/nowhere"))
    long = loader._describe(FileNotFoundError("x" * 1000), _file("lead/lead_1.csv"), Path("/tmp/nowhere"))
    assert len(long) < 320 and long.endswith("… (truncated)")


def test_a_ragged_row_reaches_the_quarantine_but_not_the_ledger_error(sandbox):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{_rows(1)}00Q2,2026-04-01,005A,Open,Tanaka 090-1234-5678\n")
    sandbox.ingest()
    assert sandbox.rows("SELECT error FROM ingest.load_ledger") == [(None,)]
    ((reason, raw_record),) = sandbox.rows("SELECT reason, raw_record FROM ingest.quarantine")
    assert "090" not in reason and "090-1234-5678" in raw_record


def _file(source_file: str) -> LandingFile:
    return LandingFile("lead", Path("/landing") / source_file, source_file, "csv")


def test_the_raw_asset_lists_entries_not_read_in_its_metadata(sandbox, tmp_path):
    """What `fukan run` prints comes from this metadata (the ledger asset's ``not_read``)."""
    from dagster import Failure, build_asset_context

    from orchestration.assets.raw import LEDGER_KEY, raw_crm_extracts
    from orchestration.resources import WarehouseResource

    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{_rows(1)}")
    sandbox.write("lead/export.zip", b"PK")
    (tmp_path / "other.csv").write_text(f"{LEAD_HEADER}\n{_rows(2)}")
    (sandbox.landing / "lead" / "lead_2.csv").symlink_to(tmp_path / "other.csv")
    resource = WarehouseResource(landing_dir=str(sandbox.landing), warehouse_path=str(sandbox.warehouse))
    results = []
    with build_asset_context(resources={"warehouse": resource}) as context, pytest.raises(Failure):
        results.extend(raw_crm_extracts(context))  # fails at the end: the other required objects are missing
    (ledger,) = [r for r in results if r.asset_key == LEDGER_KEY]
    assert ledger.metadata["not_read"].data == [
        {"path": "lead/export.zip", "reason": "not an extract format (.csv.gz, .csv, .parquet, .jsonl)"},
        {"path": "lead/lead_2.csv", "reason": "link to a target outside the landing folder"},
    ]
