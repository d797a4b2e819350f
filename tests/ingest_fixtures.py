"""A landing folder and warehouse per test, and the invariant every ingestion test checks.

The ``sandbox`` fixture reaches every test module through conftest.py.
"""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration import contract
from orchestration.ingest import IngestResult, ingest_landing

NOW = datetime(2026, 4, 2, 9, 0, 0)  # load time used by every test unless it says otherwise

# The smallest valid header and record per object under test.
LEAD_HEADER = "Id,CreatedDate,OwnerId,Status"
TASK_HEADER = "Id,CreatedDate,OwnerId"


class Sandbox:
    def __init__(self, root: Path) -> None:
        self.landing = root / "landing"
        self.landing.mkdir()
        self.warehouse = root / "warehouse" / "fukan.duckdb"

    def write(self, relative: str, content: str | bytes, *, encoding: str = "utf-8", newline: str = "\n") -> Path:
        """Write a landing file; text lines end with ``newline``, ``.gz`` names are gzipped."""
        path = self.landing / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content if isinstance(content, bytes) else content.replace("\n", newline).encode(encoding)
        path.write_bytes(gzip.compress(data) if relative.endswith(".gz") else data)
        return path

    def ingest(self, *, failures: bool = False, **options) -> IngestResult:
        """Ingest with the fixed load time and check rows in = loaded + quarantined; no
        file may fail unless the test expects ``failures``."""
        result = ingest_landing(self.landing, self.warehouse, progress=False, **{"now": NOW, **options})
        assert_balanced(result, self.warehouse)
        assert failures or not result.failed, str(result)
        return result

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def quarantine(self) -> list[tuple[str, int, str, str]]:
        """(source_file, source_row, column_name, reason) in file and row order."""
        return self.rows(
            "SELECT source_file, source_row, column_name, reason FROM ingest.quarantine ORDER BY file_seq, source_row"
        )


def assert_balanced(result: IngestResult, warehouse: Path) -> None:
    """Rows read = rows loaded + rows quarantined, per file, in the result and in SQL:
    the ledger's counts must match the rows that are really in raw and quarantine."""
    for file in result.files:
        assert file.rows_read == file.rows_loaded + file.rows_quarantined, file
    raw_counts = " UNION ALL ".join(
        f'SELECT _file_seq, count(*) AS n FROM raw."{name}" GROUP BY _file_seq' for name in contract.OBJECTS
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        mismatches = con.execute(f"""
            WITH raw_rows AS ({raw_counts}),
            quarantined AS (SELECT file_seq, count(*) AS n FROM ingest.quarantine GROUP BY file_seq)
            SELECT l.source_file, l.status, l.rows_read, l.rows_loaded, l.rows_quarantined,
                   coalesce(r.n, 0), coalesce(q.n, 0)
            FROM ingest.load_ledger AS l
            LEFT JOIN raw_rows AS r ON r._file_seq = l.file_seq
            LEFT JOIN quarantined AS q ON q.file_seq = l.file_seq
            WHERE l.rows_read <> l.rows_loaded + l.rows_quarantined
               OR l.rows_loaded <> coalesce(r.n, 0)
               OR l.rows_quarantined <> coalesce(q.n, 0)
               OR (l.status = 'failed' AND l.rows_read <> 0)
        """).fetchall()
    assert mismatches == []


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    return Sandbox(tmp_path)
