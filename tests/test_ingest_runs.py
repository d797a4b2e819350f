"""Runs over time and broken extracts: the ledger, re-runs, deltas, pass-through columns,
empty objects, and files that fail with a message naming file and cause."""

from __future__ import annotations

import os
import time

import duckdb
import pytest
from ingest_fixtures import LEAD_HEADER, TASK_HEADER

from orchestration import contract
from orchestration.ingest import IngestError, ensure_raw_tables, ingest_landing, loader, records
from orchestration.ingest.writer import DuckDBWarehouse

LEAD_ROW = "00Q1,2026-04-01,005A,Open"
# Two good lines; what follows them starts at byte len(GOOD_LINES) of line 3.
GOOD_LINES = f"{LEAD_HEADER}\n{LEAD_ROW}\n".encode()


def test_rerun_loads_nothing_twice_and_a_delta_is_appended(sandbox):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{LEAD_ROW}\n00Q2,2026-04-01,005A,Open\n")
    first = sandbox.ingest()
    assert [(f.status, f.rows_loaded) for f in first.loaded] == [("loaded", 2)]

    again = sandbox.ingest()
    assert [(f.source_file, f.status, f.skipped, f.file_seq) for f in again.files] == [
        ("lead/lead_1.csv", "skipped", True, 1)
    ]
    assert again.skipped == again.files and again.loaded == []

    sandbox.write("lead/lead_2.csv", f"{LEAD_HEADER},SystemModstamp\n00Q1,2026-04-01,005A,Working,2026-04-02\n")
    delta = sandbox.ingest()
    assert [(f.source_file, f.status, f.file_seq) for f in delta.files] == [
        ("lead/lead_1.csv", "skipped", 1),
        ("lead/lead_2.csv", "loaded", 2),
    ]
    assert sandbox.rows("SELECT id, status, _file_seq, _source_row FROM raw.lead ORDER BY _file_seq, _source_row") == [
        ("00Q1", "Open", 1, 1),
        ("00Q2", "Open", 1, 2),
        ("00Q1", "Working", 2, 1),
    ]
    assert sandbox.rows("SELECT file_seq, source_file, status FROM ingest.load_ledger ORDER BY file_seq") == [
        (1, "lead/lead_1.csv", "loaded"),
        (2, "lead/lead_2.csv", "loaded"),
    ]


def test_same_content_under_another_name_is_skipped(sandbox):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{LEAD_ROW}\n")
    sandbox.write("lead/lead_1_copy.csv", f"{LEAD_HEADER}\n{LEAD_ROW}\n")
    result = sandbox.ingest()
    assert [(f.status, f.file_seq) for f in result.files] == [("loaded", 1), ("skipped", 1)]
    assert sandbox.rows("SELECT count(*) FROM raw.lead") == [(1,)]


def _hashes_read(monkeypatch) -> list[str]:
    """The landing files whose bytes the loader hashes from now on."""
    read: list[str] = []

    def counting(path):
        read.append(path.name)
        return sha256(path)

    sha256 = loader._sha256
    monkeypatch.setattr(loader, "_sha256", counting)
    return read


def _age(path, seconds: float) -> None:
    """Set the file's modification time `seconds` into the past."""
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def test_a_known_file_is_not_read_again_until_it_changes(sandbox, monkeypatch):
    """The quick check: a file the ledger holds by name and size, modified before that
    load, is skipped unread. A change (new modification time) is read and loaded, even
    when the size stays the same."""
    path = sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{LEAD_ROW}\n")
    _age(path, 3600)
    hashed = _hashes_read(monkeypatch)
    assert [f.status for f in sandbox.ingest().files] == ["loaded"]
    assert hashed == ["lead_1.csv"]

    again = sandbox.ingest()
    assert [(f.status, f.file_seq) for f in again.files] == [("skipped", 1)]
    assert hashed == ["lead_1.csv"], "an unchanged known file was read again"

    path.write_text(f"{LEAD_HEADER}\n{LEAD_ROW.replace('Open', 'Lost')}\n")
    assert path.stat().st_size == len(GOOD_LINES)
    changed = sandbox.ingest()
    assert [(f.status, f.file_seq) for f in changed.files] == [("loaded", 2)]
    assert hashed == ["lead_1.csv", "lead_1.csv"]
    assert sandbox.rows("SELECT status, _file_seq FROM raw.lead ORDER BY _file_seq") == [("Open", 1), ("Lost", 2)]


def test_each_new_file_is_split_into_records_once_and_a_known_one_not_at_all(sandbox, monkeypatch):
    """The loader splits a file into records ahead of its turn, in a thread while
    earlier files load, and hands that split to the load: no file is read for its
    records twice. A file whose content loaded before is only hashed."""
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{LEAD_ROW}\n")
    sandbox.ingest()
    split = records.split
    names: list[str] = []

    def counting(open_stream, **options):
        with open_stream() as stream:
            names.append(os.path.basename(stream.name))
        return split(open_stream, **options)

    monkeypatch.setattr(records, "split", counting)
    sandbox.write("lead/lead_1_copy.csv", f"{LEAD_HEADER}\n{LEAD_ROW}\n")
    sandbox.write("lead/lead_2.csv", f"{LEAD_HEADER}\n00Q2,2026-04-01,005A,Open\n")
    sandbox.write("task/task_1.csv", f"{TASK_HEADER}\n00T1,2026-04-01,005A\n00T2,2026-04-01,005A\n")
    result = sandbox.ingest()
    assert [(f.source_file, f.status, f.rows_loaded) for f in result.files] == [
        ("lead/lead_1.csv", "skipped", 0),
        ("lead/lead_1_copy.csv", "skipped", 0),
        ("lead/lead_2.csv", "loaded", 1),
        ("task/task_1.csv", "loaded", 2),
    ]
    assert sorted(names) == ["lead_2.csv", "task_1.csv"]


def test_rehash_reads_a_change_that_kept_size_and_modification_time(sandbox):
    """What the quick check cannot see (a copy that kept an old modification time),
    `rehash` finds by the checksum."""
    path = sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{LEAD_ROW}\n")
    _age(path, 3600)
    sandbox.ingest()
    mtime = path.stat().st_mtime
    path.write_text(f"{LEAD_HEADER}\n{LEAD_ROW.replace('Open', 'Lost')}\n")
    os.utime(path, (mtime, mtime))

    assert [f.status for f in sandbox.ingest().files] == ["skipped"]
    assert [(f.status, f.file_seq) for f in sandbox.ingest(rehash=True).files] == [("loaded", 2)]
    assert sandbox.rows("SELECT status FROM raw.lead ORDER BY _file_seq") == [("Open",), ("Lost",)]


def test_unknown_columns_pass_through_and_a_later_file_adds_another(sandbox):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER},Foo_Bar__c\n{LEAD_ROW},a\n")
    assert sandbox.ingest().files[0].extra_columns == ["foo_bar_c"]
    sandbox.write("lead/lead_2.csv", f"{LEAD_HEADER},CustomScore,foo_bar_c\n00Q2,2026-04-01,005A,Open,7,b\n")
    assert sandbox.ingest().files[1].extra_columns == ["custom_score", "foo_bar_c"]
    assert sandbox.rows("SELECT id, foo_bar_c, custom_score FROM raw.lead ORDER BY id") == [
        ("00Q1", "a", None),
        ("00Q2", "b", "7"),
    ]
    columns = sandbox.rows(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'raw' AND table_name = 'lead' ORDER BY ordinal_position"
    )
    assert columns[-2:] == [("foo_bar_c", "VARCHAR"), ("custom_score", "VARCHAR")]
    assert sandbox.rows("SELECT extra_columns FROM ingest.load_ledger ORDER BY file_seq") == [
        ("foo_bar_c",),
        ("custom_score, foo_bar_c",),
    ]


def test_every_raw_table_exists_with_the_contract_layout_even_without_files(sandbox):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{LEAD_ROW}\n")
    sandbox.ingest()
    layout: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in sandbox.rows(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'raw' ORDER BY table_name, ordinal_position"
    ):
        layout.setdefault(table, []).append((column, data_type))
    metadata = [
        ("_source_file", "VARCHAR"),
        ("_source_row", "BIGINT"),
        ("_file_seq", "BIGINT"),
        ("_loaded_at", "TIMESTAMP"),
    ]
    assert layout == {
        name: [(c.name, contract.SQL_TYPES[c.type]) for c in obj.columns] + metadata
        for name, obj in contract.OBJECTS.items()
    }
    assert sandbox.rows('SELECT count(*) FROM raw."user_role"') == [(0,)]


def test_ensure_raw_tables_on_a_fresh_connection_is_idempotent(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ensure_raw_tables(con)
        ensure_raw_tables(con)
        tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables ORDER BY ALL").fetchall()
    assert tables == sorted(
        [("ingest", "load_ledger"), ("ingest", "quarantine")] + [("raw", name) for name in contract.OBJECTS]
    )


def test_missing_required_column_fails_that_file_only_and_is_retried(sandbox):
    sandbox.write("lead/lead_1.csv", "Id,CreatedDate,Status\n00Q1,2026-04-01,Open\n")
    sandbox.write("lead/lead_2.csv", f"{LEAD_HEADER}\n00Q2,2026-04-01,005A,Open\n")
    sandbox.write("task/task_1.csv", f"{TASK_HEADER}\n00T1,2026-04-01,005A\n")
    message = "lead/lead_1.csv: required column 'owner_id' is missing (expected by contract object lead)"
    result = sandbox.ingest(failures=True)
    assert [(f.source_file, f.status, f.error) for f in result.files] == [
        ("lead/lead_1.csv", "failed", message),
        ("lead/lead_2.csv", "loaded", None),
        ("task/task_1.csv", "loaded", None),
    ]
    assert result.failed == [result.files[0]]
    assert sandbox.rows("SELECT id FROM raw.lead") == [("00Q2",)]

    again = sandbox.ingest(failures=True)
    assert [(f.source_file, f.status, f.error) for f in again.failed] == [("lead/lead_1.csv", "failed", message)]
    assert sandbox.rows("SELECT file_seq, status, error FROM ingest.load_ledger WHERE status = 'failed'") == [
        (1, "failed", message),
        (4, "failed", message),
    ]
    with pytest.raises(IngestError, match="required column 'owner_id' is missing"):
        again.raise_for_failures()


def test_a_fixed_file_loads_on_the_next_run(sandbox):
    path = sandbox.write("lead/lead_1.csv", "Id,CreatedDate,Status\n00Q1,2026-04-01,Open\n")
    assert sandbox.ingest(failures=True).failed
    path.write_text(f"{LEAD_HEADER}\n{LEAD_ROW}\n")
    assert [f.status for f in sandbox.ingest().files] == ["loaded"]
    assert sandbox.rows("SELECT status FROM ingest.load_ledger ORDER BY file_seq") == [("failed",), ("loaded",)]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "lead/lead_1.csv",
            f"{LEAD_HEADER},created_date\n{LEAD_ROW},2026-04-01\n".encode(),
            "lead/lead_1.csv: columns 'CreatedDate' and 'created_date' both normalise to 'created_date'",
        ),
        (
            "lead/lead_1.csv",
            b"Id,CreatedDate\n00Q1,2026-04-01\n",
            "lead/lead_1.csv: required columns 'owner_id', 'status' are missing (expected by contract object lead)",
        ),
        ("lead/lead_1.csv.gz", b"not gzip", "lead/lead_1.csv.gz: Not a gzipped file (b'no')"),
        (
            "lead/lead_1.parquet",
            b"PAR1 not really",
            "lead/lead_1.parquet: Invalid Input Error: No magic bytes found at end of file 'lead/lead_1.parquet'",
        ),
        (
            "lead/lead_1.csv",
            GOOD_LINES + b"\x00\n",
            f"lead/lead_1.csv: binary data, not text: a NUL byte at byte {len(GOOD_LINES)}",
        ),
    ],
    ids=["duplicate-headers", "two-required-missing", "bad-gzip", "bad-parquet", "nul-byte"],
)
def test_broken_files_fail_with_a_message_naming_file_and_cause(sandbox, name, content, message):
    path = sandbox.landing / name
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    result = sandbox.ingest(failures=True)
    assert [(f.status, f.error, f.rows_read) for f in result.files] == [("failed", message, 0)]
    assert sandbox.rows("SELECT status, error, rows_read FROM ingest.load_ledger") == [("failed", message, 0)]
    assert sandbox.rows("SELECT count(*) FROM raw.lead") == [(0,)]


def test_a_failed_file_leaves_no_columns_or_rows_behind(sandbox, monkeypatch):
    """A failure after raw rows and a new column were written inside the file's transaction."""

    def refuse(self, rows):
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(DuckDBWarehouse, "append_quarantine", refuse)
    rows = "".join(f"00Q{i},2026-04-01,005A,Open,x\n" for i in range(1000))
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER},New__c\n{rows}")
    (file,) = sandbox.ingest(failures=True).files
    assert (file.status, file.error) == ("failed", "lead/lead_1.csv: disk full")
    columns = [
        name
        for (name,) in sandbox.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = 'lead'"
        )
    ]
    assert "new_c" not in columns
    assert sandbox.rows("SELECT count(*) FROM raw.lead") == [(0,)]
    assert sandbox.rows("SELECT count(*) FROM ingest.quarantine") == [(0,)]


def test_summary_and_missing_required_objects(sandbox):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{LEAD_ROW}\n,2026-04-01,005A,Open\n")
    sandbox.write("task/task_1.csv", "Id,CreatedDate\n00T1,2026-04-01\n")
    sandbox.write("notes.txt", "hello")
    result = sandbox.ingest(failures=True, objects=["lead", "task", "user_role"])
    assert result.missing_required == ["task"]
    assert str(result).splitlines() == [
        "ingest: 1 loaded, 0 empty, 1 failed, 0 skipped (already loaded)",
        "object  file             status  read  loaded  quarantined",
        "lead    lead/lead_1.csv  loaded     2       1            1",
        "task    task/task_1.csv  failed     0       0            0",
        "total                               2       1            1",
        "not read:",
        "  notes.txt: not an extract format (.csv.gz, .csv, .parquet, .jsonl)",
        "problems:",
        "  task/task_1.csv: required column 'owner_id' is missing (expected by contract object task)",
        "  required object task has no loaded file (expected by the contract)",
    ]
    with pytest.raises(IngestError) as raised:
        result.raise_for_failures()
    assert str(raised.value).splitlines()[1:] == str(result).splitlines()[-2:]


def test_unknown_object_names_are_refused(sandbox):
    with pytest.raises(ValueError, match="unknown contract objects: leads"):
        sandbox.ingest(objects=["leads"])


def test_connection_is_closed_and_progress_is_shown(sandbox, capsys):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n{LEAD_ROW}\n")
    ingest_landing(sandbox.landing, sandbox.warehouse, progress=True)
    assert "lead/lead_1.csv" in capsys.readouterr().err
    # A read-only connection in this process fails while a read-write one is still open.
    with duckdb.connect(str(sandbox.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.lead").fetchone() == (1,)
