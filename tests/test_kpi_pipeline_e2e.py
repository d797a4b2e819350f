"""End to end: the pipeline marts against a pandas replay of the opportunity history.

The snapshot of open pipeline at past days (a week, a month and a fiscal quarter start,
and the as-of instant) must equal, stage by stage, the replay in tests/pandas_reference.py
of the raw opportunity_history rows and opportunity versions; the waterfall's start and
end of a fiscal quarter must equal the replayed pipeline closing in that quarter at its
first day and the next quarter's first day, and its movements must add up; the deals it
counts as reopened in each month are the replay's reopenings dated and closing in that
month.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from pandas_reference import Reference, open_pipeline_at, opportunity_states, reopens

pytestmark = pytest.mark.e2e

SNAPSHOTS = [("week", "2026-03-02"), ("month", "2025-11-01"), ("fiscal_quarter", "2026-07-01")]
QUARTER = ("2026-04-01", "2026-06-30")


@pytest.fixture(scope="module")
def states(built_warehouse) -> pd.DataFrame:
    return opportunity_states(Reference(built_warehouse.landing))


@pytest.fixture(scope="module")
def warehouse(built_warehouse):
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as connection:
        yield connection


def _by_stage(pipeline: pd.DataFrame) -> pd.DataFrame:
    grouped = pipeline.groupby("stage_name").agg(open_opportunities=("amount", "size"), open_amount=("amount", "sum"))
    return grouped.astype({"open_opportunities": "int64", "open_amount": "float64"}).sort_index()


def _snapshot(warehouse, kind: str, day: str) -> pd.DataFrame:
    frame = warehouse.execute(
        """
        select stage_name, sum(open_opportunities) as open_opportunities, sum(open_amount) as open_amount
        from kpi.kpi_pipeline_snapshots
        where snapshot_kind = ? and snapshot_date = cast(? as date)
        group by stage_name
        """,
        [kind, day],
    ).df()
    return frame.set_index("stage_name").astype({"open_opportunities": "int64", "open_amount": "float64"}).sort_index()


@pytest.mark.parametrize(("kind", "day"), SNAPSHOTS)
def test_snapshot_at_a_period_start_equals_the_replay(warehouse, states, kind, day):
    expected = _by_stage(open_pipeline_at(states, pd.Timestamp(day)))
    assert len(expected) > 2, f"the demo has too little open pipeline on {day} to compare"
    pd.testing.assert_frame_equal(_snapshot(warehouse, kind, day), expected, check_names=False)


def test_snapshot_at_the_as_of_instant_equals_the_replay(warehouse, states):
    as_of_date = warehouse.execute(
        "select max(snapshot_date) from kpi.kpi_pipeline_snapshots where snapshot_kind = 'as_of'"
    ).fetchone()[0]
    expected = _by_stage(open_pipeline_at(states, pd.Timestamp(as_of_date) + pd.Timedelta(days=1)))
    pd.testing.assert_frame_equal(_snapshot(warehouse, "as_of", str(as_of_date)), expected, check_names=False)


def test_waterfall_starts_and_ends_where_the_replay_stands_and_adds_up(warehouse, states):
    start, end = (pd.Timestamp(day) for day in QUARTER)

    def closing_in_quarter(day: pd.Timestamp) -> tuple[int, float]:
        pipeline = open_pipeline_at(states, day)
        pipeline = pipeline[pipeline["close_date"].between(start, end)]
        return len(pipeline), float(pipeline["amount"].sum())

    row = warehouse.execute(
        """
        select
            sum(start_opportunities), sum(start_amount), sum(end_opportunities), sum(end_amount),
            sum(created_amount + reopened_amount + pulled_in_amount - pushed_out_amount - won_amount - lost_amount
                + amount_change),
            sum(pushed_out_opportunities), sum(pulled_in_opportunities), sum(amount_change <> 0)
        from kpi.kpi_pipeline_waterfall
        where period_grain = 'fiscal_quarter' and period_start = cast(? as date)
        """,
        [QUARTER[0]],
    ).fetchone()
    start_count, start_amount, end_count, end_amount, moved, pushed, pulled, changed = row
    assert (start_count, start_amount) == closing_in_quarter(start)
    assert (end_count, end_amount) == closing_in_quarter(end + pd.Timedelta(days=1))
    assert start_amount + moved == pytest.approx(end_amount, abs=0.5)
    assert pushed > 0 and pulled > 0 and changed > 0, "the demo quarter should show pushes, pull-ins and amount changes"


def test_reopened_deals_per_month_equal_the_replays_reopenings(warehouse, states):
    replayed = reopens(states)
    month = replayed["day"].dt.to_period("M")
    replayed = replayed[replayed["close_date"].dt.to_period("M") == month]
    expected = replayed.groupby(month.dt.start_time).size().rename("reopened").sort_index()
    assert len(expected) > 3, "the demo should reopen lost deals in several months"
    actual = warehouse.execute(
        """
        select period_start, sum(reopened_opportunities) as reopened
        from kpi.kpi_pipeline_waterfall
        where period_grain = 'month'
        group by period_start
        having sum(reopened_opportunities) > 0
        order by period_start
        """
    ).df()
    actual = actual.set_index(pd.to_datetime(actual["period_start"]))["reopened"].astype("int64")
    pd.testing.assert_series_equal(actual, expected, check_names=False, check_index_type=False)
