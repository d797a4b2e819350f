"""End to end: kpi_target_daily on the demo warehouse equals the independent pandas
reading of the raw extracts and the seeds (tests/pandas_reference.py target_daily),
department and team targets -
day and week targets by business days (company holidays included), actuals to date,
the gap and the pace per remaining business day - row for row, exactly."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from pandas_reference import Reference, target_daily

pytestmark = pytest.mark.e2e

KEYS = ["department", "kpi", "team_id", "period_grain", "period_start", "calendar_date"]
COLUMNS = [
    "week_start",
    "is_business_day",
    "business_days_elapsed",
    "business_days_remaining",
    "business_days_in_week",
    "target_value",
    "day_target",
    "week_target",
    "target_to_date",
    "actual_value",
    "week_actual_to_date",
    "actual_to_date",
    "gap_to_date",
    "remaining_target",
    "required_daily_pace",
]


@pytest.fixture(scope="module")
def compared(built_warehouse) -> pd.DataFrame:
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        mart = con.execute(
            "select * replace (coalesce(team_id, '') as team_id) from kpi.kpi_target_daily"
            " where target_level in ('department', 'team')"
        ).df()
    for column in ("calendar_date", "week_start", "period_start"):
        mart[column] = pd.to_datetime(mart[column])
    expected = target_daily(Reference(built_warehouse.landing))
    both = mart.merge(expected, on=KEYS, how="outer", suffixes=("", "_expected"), indicator=True)
    assert (both["_merge"] == "both").all(), both.loc[both["_merge"] != "both", [*KEYS, "_merge"]]
    return both


@pytest.mark.parametrize("column", COLUMNS)
def test_target_daily_matches_the_reference_exactly(compared, column):
    mart, expected = compared[column], compared[f"{column}_expected"]
    if column == "week_start":
        expected = pd.to_datetime(expected)
    same = (mart == expected) | (mart.isna() & expected.isna())
    assert same.all(), compared.loc[~same, [*KEYS, column, f"{column}_expected"]]


def test_demo_covers_the_recovery_cases(compared):
    """The comparison is not vacuous: the demo has targets behind and ahead of the spread,
    holidays inside a running period, and days after a period's last business day."""
    assert len(compared) > 1000
    assert (compared["team_id"] != "").sum() > 100 and compared.loc[compared["team_id"] != "", "actual_value"].sum() > 0
    assert (compared["gap_to_date"] < 0).any() and (compared["gap_to_date"] > 0).any()
    assert (~compared["is_business_day"] & (compared["business_days_remaining"] > 0)).any()
    assert compared["required_daily_pace"].isna().any() and (compared["required_daily_pace"] > 0).any()
    assert (compared["week_target"] < 5 * compared["day_target"]).any()  # a week cut by holidays or a period edge
