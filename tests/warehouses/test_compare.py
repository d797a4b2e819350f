"""The comparison itself: it must see every kind of difference it claims to check, and
only those (row order, driver types and time-zone spelling are not differences)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pytest
from compare import differences

pytestmark = pytest.mark.warehouses

JST = timezone(timedelta(hours=9))


def _frame(rows: list[tuple]) -> pd.DataFrame:
    columns = ["lead_id", "created_at", "created_date", "is_won", "leads", "rate"]
    return pd.DataFrame({c: pd.Series([r[i] for r in rows], dtype=object) for i, c in enumerate(columns)})


REFERENCE = [
    ("L1", datetime(2026, 4, 1, 0, 30), date(2026, 4, 1), True, 3, 0.1 + 0.2),
    ("L2", datetime(2026, 4, 2, 15, 0, 0, 1), date(2026, 4, 3), False, 0, None),
    ("L3", None, None, None, None, 2 / 3),
]


def test_same_rows_in_another_order_with_other_driver_types_agree():
    other = [
        ("L3", None, None, None, None, Decimal("0.6666666666666666")),
        ("L2", datetime(2026, 4, 3, 0, 0, 0, 1, tzinfo=JST), date(2026, 4, 3), False, 0, None),
        ("L1", datetime(2026, 4, 1, 0, 30, tzinfo=UTC), date(2026, 4, 1), True, 3, 0.3),
    ]
    assert differences("t", _frame(REFERENCE), _frame(other), "other") == []


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (("L1", datetime(2026, 4, 1, 0, 30), date(2026, 4, 1), True, 3, 0.3 + 1e-8), "rate"),
        (("L1", datetime(2026, 4, 1, 0, 30, 0, 1), date(2026, 4, 1), True, 3, 0.3), "created_at"),
        (("L1", datetime(2026, 4, 1, 0, 30, tzinfo=JST), date(2026, 4, 1), True, 3, 0.3), "created_at"),
        (("L1", datetime(2026, 4, 1, 0, 30), date(2026, 4, 2), True, 3, 0.3), "created_date"),
        (("L1", datetime(2026, 4, 1, 0, 30), date(2026, 4, 1), 1, 3, 0.3), "is_won"),
        (("L1", datetime(2026, 4, 1, 0, 30), date(2026, 4, 1), True, "3", 0.3), "leads"),
        (("L1", datetime(2026, 4, 1, 0, 30), date(2026, 4, 1), True, None, 0.3), "leads"),
    ],
    ids=[
        "float-beyond-1e-9",
        "a-microsecond",
        "same-wall-clock-other-zone",
        "date",
        "bool-vs-int",
        "int-vs-text",
        "null-vs-value",
    ],
)
def test_a_changed_value_is_named_by_its_column(row, column):
    found = differences("t", _frame(REFERENCE), _frame([row, *REFERENCE[1:]]), "other")
    assert found and all(f" column {column}: " in line for line in found), found


def test_row_counts_and_columns_must_match():
    assert differences("t", _frame(REFERENCE), _frame(REFERENCE[:2]), "other") == [
        "t: 3 rows on the reference, 2 on other"
    ]
    renamed = _frame(REFERENCE).rename(columns={"rate": "ratio"})
    assert differences("t", _frame(REFERENCE), renamed, "other")[0].startswith("t: columns differ")
