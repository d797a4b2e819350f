"""The published copy the report, BI-recipe and semantic-layer tests read: the
`published/` folder the session's `fukan run` wrote beside its warehouse, exactly the
layout BI tools see."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestration import config
from orchestration.publish.layout import MANIFEST


@pytest.fixture(scope="session")
def published_copy(built_warehouse) -> Path:
    assert built_warehouse.exit_code == 0, "the session's refresh failed: nothing was published"
    folder = config.published_dir(built_warehouse.warehouse)
    assert (folder / MANIFEST).exists(), "the refresh did not publish"
    return folder
