"""A BI reader in a process of its own: `python tests/published_reader.py <published> <stop> <out>`.

Every few milliseconds it opens `published/fukan.duckdb` read-only, as BI tools do, and
checks that what it reads is one complete version: every table's row count equals the
manifest stored in that same file, and the Parquet files of the version the `current`
pointer names match that version's `manifest.json`. It runs until the stop file exists,
then writes what it saw (iterations, build ids, errors) as JSON to `out`; the build it
last saw is also kept in `<out>.seen` as it goes.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb


def read_once(published: Path) -> str:
    """One read of the database and one of the folder; the build id seen. Raises on a mix."""
    with duckdb.connect(str(published / "fukan.duckdb"), read_only=True) as con:
        build_id = con.execute("select build_id from publish.manifest").fetchone()[0]
        expected = con.execute("select table_schema, table_name, row_count from publish.tables").fetchall()
        for schema, table, rows in expected:
            actual = con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            if actual != rows:
                raise AssertionError(f"{build_id}: {schema}.{table} has {actual} rows, its manifest says {rows}")
        con.execute(
            "select lead_quality, sum(leads) from kpi.kpi_funnel_overview "
            "where basis = 'cohort' and period_grain = 'month' group by 1"
        ).fetchall()
    version = (published / "current").resolve()  # resolve the pointer once, then read inside it
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    with duckdb.connect() as con:
        for name in ("kpi.kpi_funnel_overview", "marts.fct_leads"):
            table = manifest["tables"][name]
            rows = con.execute("select count(*) from read_parquet(?)", [str(version / table["parquet"])]).fetchone()[0]
            if rows != table["rows"]:
                raise AssertionError(
                    f"{manifest['build_id']}: {table['parquet']} has {rows} rows, manifest {table['rows']}"
                )
    return build_id


def main(published: Path, stop: Path, out: Path) -> None:
    iterations, builds, errors = 0, [], []
    while not stop.exists():
        try:
            build = read_once(published)
            if not builds or builds[-1] != build:
                builds.append(build)
                out.with_suffix(".seen").write_text(build, encoding="utf-8")
        except Exception as error:
            errors.append(f"{type(error).__name__}: {error}")
        iterations += 1
        time.sleep(0.003)
    out.write_text(json.dumps({"iterations": iterations, "builds": builds, "errors": errors}), encoding="utf-8")


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:4]))
