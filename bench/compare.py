"""Does a reference's monthly cohort overview agree with the published kpi_funnel_overview?

Cell by cell: every (month, lead quality, step) count must match exactly; won amounts are
compared to the yen. Months missing on one side count as zeros there, so a month the
pipeline reports with no leads agrees with a reference that has no row for it, and a
month only one side has shows up as disagreement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from tests.pandas_reference import COUNT_COLUMNS

KEYS = ["period_start", "lead_quality"]
COUNTS = list(COUNT_COLUMNS.values())
MAX_EXAMPLES = 5


def read_published_overview(warehouse: Path) -> pd.DataFrame:
    """The cohort-basis, month-grain rows of the published copy beside `warehouse`."""
    published = warehouse.parent / "published" / "fukan.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        frame = con.execute(f"""
            select period_start, lead_quality, {", ".join(COUNTS)}, cast(won_amount as double) as won_amount
            from kpi.kpi_funnel_overview
            where basis = 'cohort' and period_grain = 'month'
        """).df()
    return _normalised(frame)


def read_csv_overview(path: Path) -> pd.DataFrame:
    return _normalised(pd.read_csv(path))


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.strftime("%Y-%m-%d")
    frame[COUNTS] = frame[COUNTS].fillna(0).astype("int64")
    frame["won_amount"] = frame["won_amount"].fillna(0).astype("float64")
    return frame[[*KEYS, *COUNTS, "won_amount"]].set_index(KEYS)


def agreement(reference: pd.DataFrame, published: pd.DataFrame) -> dict[str, Any]:
    both = reference.join(published, how="outer", lsuffix="_reference", rsuffix="_pipeline").fillna(0)
    differing: dict[str, int] = {}
    examples: list[str] = []
    for step in COUNTS:
        mine, theirs = both[f"{step}_reference"], both[f"{step}_pipeline"]
        off = both.index[mine != theirs]
        differing[step] = len(off)
        for month, quality in off[: MAX_EXAMPLES - len(examples)]:
            examples.append(
                f"{month} {quality} {step}: reference {int(mine[(month, quality)])}, "
                f"pipeline {int(theirs[(month, quality)])}"
            )
    amounts_off = (both["won_amount_reference"] - both["won_amount_pipeline"]).abs() >= 0.5
    cells = len(both) * len(COUNTS)
    return {
        "rows": len(both),
        "cells": cells,
        "cells_agree": cells - sum(differing.values()),
        "differing_cells_by_step": differing,
        "amount_cells": len(both),
        "amounts_agree": int((~amounts_off).sum()),
        "examples": examples,
    }
