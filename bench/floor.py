"""Run bench/floor.sql on a landing folder and write the overview it computes as CSV.

The floor of the benchmark: one hand-written DuckDB script over the raw files. Run in
its own process by bench/run.py, so its time and memory are measured alone.

    python -m bench.floor --landing DIR --out overview.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

import duckdb

BENCH = Path(__file__).resolve().parent
SEEDS = BENCH.parent / "seeds"
SCRIPT = BENCH / "floor.sql"


def overview(landing: Path, threads: int | None = None) -> tuple[list[str], list[tuple]]:
    """Column names and rows of the monthly cohort overview by lead quality."""
    with duckdb.connect() as con:
        con.execute(f"set threads = {threads or os.cpu_count() or 1}")
        con.execute("set variable landing = ?", [str(landing.resolve())])
        con.execute("set variable seeds = ?", [str(SEEDS)])
        result = con.execute(SCRIPT.read_text(encoding="utf-8"))  # the last statement's rows
        columns = [d[0] for d in result.description]
        return columns, result.fetchall()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--landing", required=True, help="landing folder with one sub-folder of CSV extracts per object"
    )
    parser.add_argument("--out", required=True, help="CSV file to write the overview to")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads (default: every core)")
    args = parser.parse_args(argv)
    columns, rows = overview(Path(args.landing), args.threads)
    with open(args.out, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        writer.writerows(rows)
    print(f"floor: {len(rows)} overview rows -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
