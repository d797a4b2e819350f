"""The `fukan` command line: what `make run` and a data team's scripts call.

Each subcommand is a thin shell over a module that does the work, so Dagster assets
and the command line share one code path.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from orchestration import config, process_gc


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from orchestration.demo_data import generate

    summary = generate(
        Path(args.out),
        leads=args.leads,
        seed=args.seed,
        start=args.start,
        end=args.end,
        file_format=args.format,
        deltas=not args.no_deltas,
        progress=not args.quiet,
    )
    print(summary)
    return 0


def _cmd_ingest(args: argparse.Namespace) -> int:
    from orchestration.ingest import ingest_landing

    # The DuckDB file, or for Spark the Parquet lake in its folder; PostgreSQL: FUKAN_PG_*.
    destination = config.spark_lake(Path(args.spark_dir).resolve()) if args.target == "spark" else Path(args.warehouse)
    try:
        result = ingest_landing(
            Path(args.landing), destination, target=args.target, progress=not args.quiet, rehash=args.rehash
        )
    except (ConnectionError, ImportError) as error:  # no server, or the warehouses extra missing
        print(f"fukan ingest: {error}", file=sys.stderr)
        return 2
    print(result)
    problems = result.problems()
    if problems:
        print(f"fukan ingest: {len(problems)} problem(s), the warehouse would be incomplete:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
    return 1 if problems else 0


def start_demo_data(landing: Path, leads: int, seed: int, quiet: bool) -> subprocess.Popen[bytes]:
    """`fukan demo-data` into `landing` in a process of its own (it prints its own progress
    and summary): `fukan run --demo-if-empty` imports the pipeline meanwhile (about 5 s)."""
    command = [
        sys.executable,
        "-m",
        "orchestration.cli",
        "demo-data",
        "--out",
        str(landing),
        "--leads",
        str(leads),
        "--seed",
        str(seed),
        *(["--quiet"] if quiet else []),
    ]
    return subprocess.Popen(command)


def _cmd_run(args: argparse.Namespace) -> int:
    landing, warehouse = Path(args.landing), Path(args.warehouse)
    demo = None
    if args.demo_if_empty and not _has_files(landing):
        print(f"Landing folder {landing} is empty: generating demo extracts ({args.demo_leads} leads).")
        demo = start_demo_data(landing, args.demo_leads, args.seed, args.quiet)
    from orchestration.pipeline import run_pipeline

    if demo is not None and demo.wait() != 0:
        print(f"Generating the demo extracts failed (exit {demo.returncode}); nothing was run.")
        return demo.returncode
    # The option is the variable: the dbt manifest prepared while the definitions load is
    # then parsed for this warehouse, and the build reuses its parse state.
    os.environ["FUKAN_WAREHOUSE"] = str(warehouse.resolve())
    timings = Path(args.timings_json) if args.timings_json else None
    return run_pipeline(landing, warehouse, progress=not args.quiet, timings_json=timings)


def _cmd_dbt(args: argparse.Namespace) -> int:
    """dbt on the project with the warehouse of this environment, e.g. to run the unit
    tests or read a what-if after editing a seed. Not a refresh: `fukan run` is."""
    from orchestration.dbt_project import dbt_executable
    from orchestration.warehouses.spark import spark_environment

    env = {
        **os.environ,
        "FUKAN_WAREHOUSE": str(Path(args.warehouse).resolve()),
        **spark_environment(config.spark_dir()),
    }
    dbt_args = [a for a in args.dbt_args if a != "--"]
    command = [
        dbt_executable(),
        *dbt_args,
        "--project-dir",
        str(config.DBT_PROJECT_DIR),
        "--profiles-dir",
        str(config.DBT_PROJECT_DIR),
    ]
    return subprocess.run(command, env=env).returncode


def _cmd_report(args: argparse.Namespace) -> int:
    from orchestration.report.build import report_command

    return report_command(args)


def _has_files(folder: Path) -> bool:
    return folder.exists() and any(p.is_file() for p in folder.rglob("*"))


def _date(text: str) -> date:
    return date.fromisoformat(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fukan",
        description="fukan (俯瞰): a KPI warehouse for B2B sales funnels, split by lead quality.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def landing_and_warehouse(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--landing",
            default=str(config.landing_dir()),
            help="landing folder with CRM extracts (env FUKAN_LANDING_DIR; default %(default)s)",
        )
        p.add_argument(
            "--warehouse",
            default=str(config.warehouse_path()),
            help="working DuckDB warehouse file (env FUKAN_WAREHOUSE; default %(default)s)",
        )
        p.add_argument("--quiet", action="store_true", help="no progress bars")

    demo = sub.add_parser(
        "demo-data",
        help="write realistic demo CRM extracts into a landing folder",
        description=(
            "Generate deterministic demo CRM extracts (a fictional Japanese B2B "
            "company) that follow the landing contract (docs/landing-contract.md)."
        ),
    )
    demo.add_argument("--leads", type=int, default=20000, help="number of leads in the snapshot (default %(default)s)")
    demo.add_argument("--seed", type=int, default=7, help="random seed; same seed, same files (default %(default)s)")
    demo.add_argument("--out", default=str(config.landing_dir()), help="landing folder to write (default %(default)s)")
    demo.add_argument(
        "--start", type=_date, default=date(2024, 4, 1), help="first lead creation date (default %(default)s)"
    )
    demo.add_argument("--end", type=_date, default=date(2026, 9, 30), help="snapshot date (default %(default)s)")
    demo.add_argument("--format", choices=["csv", "parquet"], default="csv", help="file format (default %(default)s)")
    demo.add_argument("--no-deltas", action="store_true", help="write only the full snapshot, no delta files")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=_cmd_demo_data)

    ingest = sub.add_parser(
        "ingest",
        help="load new landing files into the raw schema",
        description="Load every new landing file into raw.*, with a load ledger and a quarantine for unusable rows: "
        "into the DuckDB warehouse file, or (--target spark) into the Parquet lake the Spark target reads.",
    )
    landing_and_warehouse(ingest)
    ingest.add_argument(
        "--target",
        choices=config.INGEST_TARGETS,
        default="duckdb",
        help="where raw.* lives: the DuckDB file (--warehouse), a PostgreSQL server named by "
        "FUKAN_PG_HOST, FUKAN_PG_PORT, FUKAN_PG_USER, FUKAN_PG_PASSWORD, FUKAN_PG_DATABASE, "
        "loaded with COPY, or Parquet files under --spark-dir/lake for Spark; build with "
        "FUKAN_DBT_TARGET=<target> (default %(default)s)",
    )
    ingest.add_argument(
        "--spark-dir",
        default=str(config.spark_dir()),
        help="with --target spark: the Spark target's folder (env FUKAN_SPARK_DIR; default %(default)s)",
    )
    ingest.add_argument(
        "--rehash",
        action="store_true",
        help="read every landing file to compare its checksum with the ledger; by default a file the "
        "ledger holds under the same name and size, last modified before that load, is skipped "
        "unread (rsync's quick check)",
    )
    ingest.set_defaults(func=_cmd_ingest)

    run = sub.add_parser(
        "run",
        help="refresh the whole warehouse end to end through Dagster",
        description="Materialise every asset (ingest, dbt models and tests, checks, publish) in one process.",
    )
    landing_and_warehouse(run)
    run.add_argument(
        "--demo-if-empty", action="store_true", help="generate demo extracts first when the landing folder is empty"
    )
    run.add_argument("--demo-leads", type=int, default=20000, help="leads for --demo-if-empty (default %(default)s)")
    run.add_argument("--seed", type=int, default=7, help="seed for --demo-if-empty (default %(default)s)")
    run.add_argument(
        "--timings-json",
        metavar="PATH",
        default=None,
        help="also write a JSON file with the wall seconds of every step (ingest, dbt build, "
        "checks, publish, docs, report), the run total and the rows loaded and checks "
        "passed/failed (used by `make bench`)",
    )
    run.set_defaults(func=_cmd_run)

    report = sub.add_parser(
        "report",
        help="rebuild the KPI overview report from the published copy",
        description="Write published/report.html (Japanese) and report.en.html (English) from the published copy.",
    )
    report.add_argument("--lang", choices=["ja", "en"], default=None, help="one language only (default: both)")
    report.add_argument(
        "--published", default=None, help="published folder (default: published/ beside FUKAN_WAREHOUSE)"
    )
    report.set_defaults(func=_cmd_report)

    dbt = sub.add_parser(
        "dbt",
        help="run a dbt command on the project against this warehouse",
        description="Pass the arguments to dbt with the project, profiles and warehouse set, "
        "e.g. `fukan dbt -- build --select quality_what_if+`. The target is "
        "FUKAN_DBT_TARGET (duckdb by default; spark reads FUKAN_SPARK_DIR).",
    )
    dbt.add_argument(
        "--warehouse",
        default=str(config.warehouse_path()),
        help="working DuckDB warehouse file (env FUKAN_WAREHOUSE; default %(default)s)",
    )
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments for dbt, after --")
    dbt.set_defaults(func=_cmd_dbt)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The `fukan` console script: the process exits when this returns."""
    args = build_parser().parse_args(argv)
    code = args.func(args)
    process_gc.before_exit()
    return code


if __name__ == "__main__":
    sys.exit(main())
