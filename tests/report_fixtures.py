"""The published copy the report, BI-recipe and semantic-layer tests read.

It is the `published/` folder the session's `fukan run` wrote beside its warehouse. While
the refresh job does not publish yet, the built warehouse is published once into a
temporary folder with the publish step's own function, so the tests read exactly the
layout BI tools see.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from orchestration import config
from orchestration.publish import publish
from orchestration.publish.layout import MANIFEST


@pytest.fixture(scope="session")
def published_copy(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert built_warehouse.exit_code == 0, "the session's refresh failed: nothing was published"
    by_the_pipeline = config.published_dir(built_warehouse.warehouse)
    if (by_the_pipeline / MANIFEST).exists():
        return by_the_pipeline
    # Several test modules import this fixture; they share one folder per session, named
    # `published` like the pipeline's, beside where a warehouse file would be.
    folder = tmp_path_factory.getbasetemp() / "report_tests" / "published"
    if not (folder / MANIFEST).exists():
        publish(built_warehouse.warehouse, folder, run_id="reporttests", checks={})
    return folder
