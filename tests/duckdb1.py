"""A DuckDB 1.x reader in a process of its own: the DuckDB 1.5 CLI of the `duckdb-cli` dev
dependency, the DuckDB that BI connectors embed (the project itself runs DuckDB 2.0)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CLI = Path(sys.executable).with_name("duckdb")  # a Python launcher of the CLI binary


def query(database: Path, sql: str, cwd: Path | None = None) -> list[tuple]:
    """The rows of `sql` (one statement, or statements that print nothing), run by the
    DuckDB 1.x CLI on `database` opened read-only."""
    done = subprocess.run(
        [str(CLI), "-readonly", "-json", str(database), "-c", sql], capture_output=True, text=True, timeout=300, cwd=cwd
    )
    assert done.returncode == 0, f"DuckDB 1.x could not read {database}:\n{done.stderr}"
    return [tuple(row.values()) for row in json.loads(done.stdout or "[]")]
