"""GX imports in a process started the way Dagster's run worker is (multiprocessing's
"spawn": `__main__` has neither `__spec__` nor `__file__`), with pyspark installed."""

from __future__ import annotations

import multiprocessing
from queue import Empty

from orchestration.quality.validate import import_great_expectations


def _import_and_report(results: multiprocessing.Queue) -> None:
    gx = import_great_expectations()
    results.put((gx.__name__, hasattr(gx, "ExpectationSuite")))


def test_great_expectations_imports_in_a_spawned_process() -> None:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=_import_and_report, args=(results,))
    child.start()
    child.join(timeout=300)
    try:
        reported = results.get(timeout=5)
    except Empty:  # the child ended without a word: pyspark's sys.exit(0)
        reported = None
    assert reported == ("great_expectations", True), f"the child exited with {child.exitcode} before GX was imported"
