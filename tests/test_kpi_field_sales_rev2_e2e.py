"""End to end: the hand-off follow rate (フォロー率) of kpi_field_sales and the maturity of
kpi_funnel_health on the demo warehouse, against the independent pandas reading of the
raw extracts (tests/pandas_reference.py).

- Hand-offs, followed hand-offs, follow rate and median business days to follow-up per
  rep, period and lead quality, and the follow rate per team (the rep's team on the
  period's last day, from the user files' versions), equal the reference exactly.
- The health mart's lagged follow-rate counts equal the reference's hand-offs whose
  follow-up window has closed, week by week.
- No health flag is raised on an immature week: the running week and every week whose
  lead window is still open (by the calendar, in pandas) carry a reason and no flag.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from pandas_reference import Reference, follow_rates, handoff_follow_ups

pytestmark = pytest.mark.e2e

KEY = ["period_grain", "period_start", "owner_user_id", "lead_quality"]
FOLLOW_COLUMNS = ["handoffs", "followed_handoffs", "follow_rate", "median_business_days_to_follow_up"]
RECENT_WEEKS = 4  # dbt var health_recent_weeks
LEAD_WINDOW_DAYS = 60  # dbt var health_lead_window_days
FLAGS = [
    "is_lead_volume_up",
    "is_quality_lead_rate_down",
    "is_lead_contact_rate_down",
    "is_lead_appointment_rate_down",
    "is_handoff_volume_up",
    "is_handoff_follow_rate_down",
    "is_opportunity_proposal_rate_down",
    "is_volume_up_quality_down",
    "is_leads_up_inside_sales_conversion_down",
    "is_handoffs_up_field_sales_conversion_down",
    "is_handoff_jump_conversion_drop",
    "is_handoffs_up_pipeline_down",
    "has_warning",
]


def _query(warehouse, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).df()


@pytest.fixture(scope="module")
def reference(built_warehouse) -> Reference:
    return Reference(built_warehouse.landing)


@pytest.fixture(scope="module")
def follow_ups(reference) -> pd.DataFrame:
    return handoff_follow_ups(reference)


@pytest.fixture(scope="module")
def field_sales(built_warehouse) -> pd.DataFrame:
    rows = _query(
        built_warehouse.warehouse, "select * from kpi.kpi_field_sales where lead_quality <> 'not_lead_sourced'"
    )
    rows["period_start"] = pd.to_datetime(rows["period_start"])
    rows["period_end_date"] = pd.to_datetime(rows["period_end_date"])
    return rows


def test_follow_rate_per_rep_period_and_quality_equals_the_reference(field_sales, follow_ups):
    closed = follow_ups[follow_ups["is_window_closed"]]
    assert closed["is_followed"].any() and not closed["is_followed"].all(), "the demo should follow some hand-offs"
    expected = follow_rates(follow_ups).rename(columns={"owner_id": "owner_user_id"}).set_index(KEY).sort_index()
    actual = field_sales[field_sales["handoffs"] > 0].set_index(KEY)[FOLLOW_COLUMNS].sort_index()
    assert list(actual.index) == list(expected.index)
    pd.testing.assert_frame_equal(actual, expected[FOLLOW_COLUMNS], check_dtype=False)


def test_follow_rate_per_team_equals_the_reference(field_sales, follow_ups, reference):
    expected = follow_rates(follow_ups).query("lead_quality == 'all'")
    periods = field_sales[["period_grain", "period_start", "period_end_date"]].drop_duplicates()
    expected = expected.merge(periods, on=["period_grain", "period_start"])
    team_id = reference.owner_as_of(expected["owner_id"], expected["period_end_date"])["team_id"]
    role_names = reference.latest("user_role").set_index("id")["name"]
    expected["owner_team_name"] = team_id.map(role_names)
    team_key = ["period_grain", "period_start", "owner_team_name"]
    expected = expected.groupby(team_key, dropna=False)[["handoffs", "followed_handoffs"]].sum()
    actual = field_sales[field_sales["lead_quality"] == "all"]
    actual = actual.groupby(team_key, dropna=False)[["handoffs", "followed_handoffs"]].sum()
    actual = actual[actual["handoffs"] > 0]
    assert len(actual) > 0
    rates = actual["followed_handoffs"] / actual["handoffs"]
    assert rates.between(0, 1).all()
    pd.testing.assert_frame_equal(actual.sort_index(), expected.sort_index(), check_dtype=False)


def test_health_follow_counts_only_closed_windows(built_warehouse, follow_ups):
    health = _query(
        built_warehouse.warehouse,
        "select week_start, handed_off_recent, handoffs_follow_window_closed_recent, handoffs_followed_recent "
        "from kpi.kpi_funnel_health order by week_start",
    ).set_index("week_start")
    health.index = pd.to_datetime(health.index)
    week = follow_ups["handed_off_day"] - pd.to_timedelta(follow_ups["handed_off_day"].dt.day_of_week, unit="D")
    followed_in_closed_window = follow_ups["is_window_closed"] & follow_ups["is_followed"]
    weekly = pd.DataFrame(
        {
            "handed_off_recent": follow_ups.groupby(week).size(),
            "handoffs_follow_window_closed_recent": follow_ups.groupby(week)["is_window_closed"].sum(),
            "handoffs_followed_recent": followed_in_closed_window.groupby(week).sum(),
        }
    )
    expected = weekly.reindex(health.index, fill_value=0).rolling(RECENT_WEEKS, min_periods=1).sum()
    pd.testing.assert_frame_equal(health, expected, check_dtype=False, check_names=False)
    assert (health["handoffs_follow_window_closed_recent"] < health["handed_off_recent"]).iloc[-1]


def test_no_health_flag_on_an_immature_week(built_warehouse, reference):
    health = _query(built_warehouse.warehouse, "select * from kpi.kpi_funnel_health order by week_start")
    week_end = pd.to_datetime(health["week_end_date"])
    as_of_day = Reference.reporting_date(pd.Series([reference.as_of])).iloc[0]
    running = week_end >= as_of_day
    assert running.iloc[-1] and (health.loc[running, "immature_reason"] == "period_not_complete").all()
    immature = health["immature_reason"].notna()
    assert not health.loc[immature, FLAGS].any().any(), health.loc[immature & health[FLAGS].any(axis=1)]
    lead_window_open = week_end + pd.Timedelta(days=LEAD_WINDOW_DAYS) >= as_of_day
    assert lead_window_open.sum() > RECENT_WEEKS
    assert health.loc[lead_window_open, "lead_conversion_immature_reason"].notna().all()
    for family, flags in {
        "lead_conversion": ["is_lead_contact_rate_down", "is_lead_appointment_rate_down"],
        "handoff_follow": ["is_handoff_follow_rate_down", "is_handoffs_up_field_sales_conversion_down"],
        "handoff_pipeline": ["is_opportunity_proposal_rate_down"],
    }.items():
        waiting = health[f"{family}_immature_reason"].notna()
        assert not health.loc[waiting, flags].any().any(), f"{family} flags raised while immature"
