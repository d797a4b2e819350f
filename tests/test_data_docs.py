"""Great Expectations Data Docs show values from the data as text, never as markup: a CRM
value or a column name written as HTML must not run in the browser of whoever opens the
validation page the publish step links to."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from orchestration import contract
from orchestration.quality.parameters import expectation_parameters
from orchestration.quality.validate import Frame, QualityRunner, load_suites

STATUS = "<script>alert(1)</script>"
OTHER_STATUS = "<img src=x onerror=alert(2)>"
COLUMN = "<b onmouseover=alert(3)>extra</b>"  # an extra column a file's header brings into raw


def test_validation_pages_escape_unexpected_values_and_column_names(tmp_path: Path) -> None:
    columns = [*contract.OBJECTS["lead"].column_names, *contract.META_COLUMNS]
    frame = pd.DataFrame({column: [None] * 3 for column in columns})
    frame["status"] = [STATUS, "Open - Not Contacted", OTHER_STATUS]
    frame[COLUMN] = 1
    runner = QualityRunner(tmp_path, "hostile")
    outcome = runner.validate(load_suites()["raw.lead"], Frame(frame, "a hostile extract"), expectation_parameters())
    assert not outcome.passed  # the statuses are unmapped: the page lists them as unexpected values

    index = runner.build_docs()
    pages = {path: path.read_text(encoding="utf-8") for path in index.parent.rglob("*.html")}
    assert any("/validations/" in str(path) for path in pages)
    for payload in (STATUS, OTHER_STATUS, COLUMN):
        assert [path for path, text in pages.items() if payload in text] == [], f"{payload} is in a page as markup"
        assert any(html.escape(payload, quote=False) in text for text in pages.values()), f"{payload} is not shown"
