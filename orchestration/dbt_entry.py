"""`fukan-dbt`: dbt's own command line, minus the interpreter's cleanup at exit.

When a dbt command is done, Python's shutdown still runs full garbage collections over
every object dbt loaded (its manifest, adapters and Jinja environment): 1.2-1.6 s per
command on the 20k-lead demo, paid by every `dbt build` and `dbt docs generate` of a
refresh, which waits for the process to end. Freezing those objects leaves them out of
the collections; everything else (the exit code, output, files dbt wrote) is dbt's.
"""
import gc

from dbt.cli.main import cli


def main() -> None:
    try:
        cli()  # click: ends with SystemExit carrying dbt's exit code
    finally:
        gc.freeze()
