"""End to end: kpi_target_daily on the demo warehouse equals the independent pandas
reading of the raw extracts and the seeds (tests/pandas_reference.py target_daily),
every target - department, team and owner level, given by the seed or derived from it
(quarters from months, fiscal halves from quarters) - and every KPI of the demo targets:
day and week targets by business days (company holidays included), actuals to date,
the gap and the pace per remaining business day - row for row, exactly."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from pandas_reference import Reference, target_daily

pytestmark = pytest.mark.e2e

KEYS = ["department", "kpi", "owner_user_id", "team_id", "period_grain", "period_start", "calendar_date"]
COLUMNS = [
    "target_source",
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
            "select * replace (coalesce(owner_user_id, '') as owner_user_id, coalesce(team_id, '') as team_id)"
            " from kpi.kpi_target_daily"
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
    holidays inside a running period, days after a period's last business day, targets of
    every level with actuals, every KPI of the issue, and derived and given fiscal halves."""
    assert len(compared) > 1000
    for level in ("team_id", "owner_user_id"):
        assert (compared[level] != "").sum() > 100 and compared.loc[compared[level] != "", "actual_value"].sum() > 0
    kpis = {"leads", "quality_leads", "calls", "connected_calls", "appointments", "handed_off", "opportunities", "won"}
    assert kpis | {"won_amount"} <= set(compared.loc[compared["actual_value"] > 0, "kpi"])
    sources = compared.groupby("period_grain")["target_source"].unique().map(set).to_dict()
    assert sources["fiscal_half"] == {"seed", "derived_from_quarters"}, sources
    assert sources["fiscal_quarter"] == {"seed", "derived_from_months"}, sources
    assert (compared["gap_to_date"] < 0).any() and (compared["gap_to_date"] > 0).any()
    assert (~compared["is_business_day"] & (compared["business_days_remaining"] > 0)).any()
    assert compared["required_daily_pace"].isna().any() and (compared["required_daily_pace"] > 0).any()
    assert (compared["week_target"] < 5 * compared["day_target"]).any()  # a week cut by holidays or a period edge
