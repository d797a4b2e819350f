"""`fukan-dbt`: dbt's own command line, with the garbage collector set for a short-lived
process (orchestration/process_gc.py).

On the 20k-lead demo that saves about 2 s of a refresh's `dbt build` (the collector
re-traced dbt's manifest and Jinja templates while the nodes ran) and 1.2-1.6 s at the
end of every dbt command, which the refresh waits for. Everything else (the exit code,
output, files dbt writes) is dbt's.
"""
from dbt.cli.main import cli

from orchestration import process_gc


def main() -> None:
    process_gc.after_imports()
    try:
        cli()  # click: ends with SystemExit carrying dbt's exit code
    finally:
        process_gc.before_exit()
