"""Garbage collection in fukan's command-line processes (`fukan`, `fukan-dbt`).

Both are short-lived and hold hundreds of thousands of long-lived objects: a refresh
about 560k (Dagster, dbt, GX, pandas), a dbt command its manifest and Jinja templates.
CPython's defaults re-trace them over and over: on the 20k-lead demo the collector took
2.7 s of a refresh's main thread and 3.0 s of its `dbt build`, both bound by one
interpreter lock, and interpreter shutdown adds full collections over every object
still alive (about 4 s after a refresh, 1.2-1.6 s after a dbt command).
"""
import gc

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
