"""`fukan-dbt`: dbt's own command line, with two settings for the refresh's dbt commands.

- The garbage collector set for a short-lived process (orchestration/process_gc.py). On
  the 20k-lead demo that saves about 2 s of a refresh's `dbt build` (the collector
  re-traced dbt's manifest and Jinja templates while the nodes ran) and 1.2-1.6 s at the
  end of every dbt command, which the refresh waits for.
- `dbt.log` at level info (what the console shows: each node's result, warnings and
  errors, with the failing SQL's path) instead of dbt's debug: writing every statement,
  connection and timing event to the file took about 10% of `dbt build` on the demo
  (29.5-31.2 s -> 26.7-28.2 s). `DBT_LOG_LEVEL_FILE=debug` brings the full trace back.

When `fukan run` started a dbt process ahead (orchestration/dbt_server.py), the command
runs there, and this process only waits for it: dbt's import (about 3 s) is already done.

Everything else (the exit code, output, files dbt writes) is dbt's.
"""
import os
import sys

from orchestration import process_gc
from orchestration.dbt_server import run_on_server

# dbt's own variable for `--log-level-file`; a value already set wins.
LOG_LEVEL_FILE_VARIABLE = "DBT_LOG_LEVEL_FILE"
DEFAULT_LOG_LEVEL_FILE = "info"


def main() -> None:
    os.environ.setdefault(LOG_LEVEL_FILE_VARIABLE, DEFAULT_LOG_LEVEL_FILE)
    code = run_on_server(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from dbt.cli.main import cli

    process_gc.after_imports()
    try:
        cli()  # click: ends with SystemExit carrying dbt's exit code
    finally:
        process_gc.before_exit()
