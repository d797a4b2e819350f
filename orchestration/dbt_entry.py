"""`fukan-dbt`: dbt's own command line, with three settings for the refresh's dbt commands.

- It dies with the process that started it: a refresh killed with SIGKILL (or any
  crash) leaves no dbt behind holding the warehouse's DuckDB lock.
- The garbage collector set for a short-lived process (orchestration/process_gc.py).
- `dbt.log` at level info (what the console shows: each node's result, warnings and
  errors, with the failing SQL's path) instead of dbt's debug, whose every statement,
  connection and timing event slows the build; `DBT_LOG_LEVEL_FILE=debug` brings the
  full trace back.

Everything else (the exit code, output, files dbt writes) is dbt's.
"""

import ctypes
import os
import signal
import sys

from orchestration import process_gc

# dbt's own variable for `--log-level-file`; a value already set wins.
LOG_LEVEL_FILE_VARIABLE = "DBT_LOG_LEVEL_FILE"
DEFAULT_LOG_LEVEL_FILE = "info"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when its parent ends (Linux; elsewhere a no-op)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() == 1:  # the parent ended before the request: nobody waits for this dbt
        os._exit(1)


def main() -> None:
    die_with_parent()
    os.environ.setdefault(LOG_LEVEL_FILE_VARIABLE, DEFAULT_LOG_LEVEL_FILE)
    from dbt.cli.main import cli

    process_gc.after_imports()
    try:
        cli()  # click: ends with SystemExit carrying dbt's exit code
    finally:
        process_gc.before_exit()
