"""Garbage collection in fukan's processes: a run, and each `fukan-dbt` command.

Both hold hundreds of thousands of long-lived objects: a run about 560k (Dagster, dbt,
GX, pandas), a dbt command its manifest and Jinja templates. CPython's defaults re-trace
them over and over, in the thread that also runs the work, and interpreter shutdown adds
full collections over every object still alive.
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Allocations between collections of the youngest generation (CPython's default: 700).
YOUNG_THRESHOLD = 50_000


def after_imports() -> None:
    """Leave what is loaded so far (modules, classes, functions: never garbage) out of
    every collection, and collect young objects less often."""
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD)


def before_exit() -> None:
    """Leave every live object out of the collections interpreter shutdown runs."""
    gc.freeze()


@contextmanager
def during_run() -> Iterator[None]:
    """`after_imports` for one run, in whichever process runs it (`fukan run`, Dagster's run
    worker, a test); the collector as it was afterwards, for a process that lives on."""
    threshold = gc.get_threshold()
    after_imports()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()
