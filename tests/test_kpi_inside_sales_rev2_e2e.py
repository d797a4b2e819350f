"""End to end: the revision-2 inside-sales definitions on the demo warehouse against the
independent pandas reading of the landing files (tests/pandas_reference.py).

Neglected leads per team and month (open leads whose last personal touch - connected
call, one-to-one e-mail, held meeting - or creation lies more than 90 days back, counted
on the month's last day or the as-of date), next-action coverage with meetings still to
come, and benchmark maturity: an immature row carries no below/above status and no
flag. None of the SQL under test is reused.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from pandas_reference import Reference, neglected_leads, next_actions, personal_touches

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def reference(built_warehouse) -> Reference:
    return Reference(built_warehouse.landing)


def _query(built_warehouse, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        return con.execute(sql).df()


def _as_of_day(reference: Reference) -> pd.Timestamp:
    return Reference.reporting_date(pd.Series([reference.as_of])).iloc[0]


def test_the_demo_holds_what_the_definitions_tell_apart(built_warehouse, reference):
    """Mass e-mails, meetings still to come, and held inside-sales meetings on a lead
    whose opportunity already existed: without them the definitions would not be tested."""
    tasks, events = reference.latest("task"), reference.latest("event")
    assert (tasks["task_subtype"] == "ListEmail").sum() > 100
    assert (pd.to_datetime(events["start_date_time"], utc=True).dt.tz_localize(None) > reference.as_of).sum() >= 5
    before = _query(
        built_warehouse,
        "select count(*) as meetings from kpi_inputs.int_kpi_inside_sales_held_meetings as held "
        "inner join marts.fct_opportunities as opportunities on held.lead_id = opportunities.lead_id "
        "where opportunities.created_at < held.held_at",
    )
    assert before["meetings"].iloc[0] > 10


def test_neglected_lead_share_per_team_equals_the_reference(built_warehouse, reference):
    teams = _query(
        built_warehouse,
        "select period_start, period_end_date, team_id, open_leads, neglected_leads, neglected_lead_share "
        "from kpi.kpi_inside_sales_teams where period_grain = 'month'",
    )
    as_of_day = _as_of_day(reference)
    teams["day"] = pd.to_datetime(teams["period_end_date"]).clip(upper=as_of_day)
    expected = (
        neglected_leads(reference, sorted(teams["day"].unique()))
        .groupby(["day", "team_id"])
        .agg(expected_open=("is_neglected", "size"), expected_neglected=("is_neglected", "sum"))
        .reset_index()
    )
    joined = teams.merge(expected, on=["day", "team_id"], how="outer", indicator=True)
    # A team-month without open leads may have no reference row; every reference row has a mart row.
    assert (joined["_merge"] != "right_only").all(), joined[joined["_merge"] == "right_only"].head()
    joined = joined.fillna({"expected_open": 0, "expected_neglected": 0})
    assert (joined["expected_open"] > 0).sum() > 20 and joined["expected_neglected"].sum() > 0
    pd.testing.assert_series_equal(
        joined["open_leads"].astype("int64"), joined["expected_open"].astype("int64"), check_names=False
    )
    pd.testing.assert_series_equal(
        joined["neglected_leads"].astype("int64"), joined["expected_neglected"].astype("int64"), check_names=False
    )
    with_leads = joined[joined["open_leads"] > 0]
    assert with_leads["neglected_lead_share"].between(0, 1).all()
    np.testing.assert_allclose(
        with_leads["neglected_lead_share"], with_leads["expected_neglected"] / with_leads["expected_open"], rtol=1e-12
    )


def test_a_mass_email_is_not_a_personal_touch(reference):
    touches = personal_touches(reference)
    tasks = reference.latest("task").set_index("id")
    assert not touches.index.isin(tasks.index[tasks["task_subtype"] == "ListEmail"]).any()
    assert touches.index.isin(tasks.index[tasks["task_subtype"] == "Email"]).any()


def test_next_action_coverage_counts_meetings_to_come_as_the_reference(built_warehouse, reference):
    marts = _query(
        built_warehouse,
        "select rep_user_id, open_leads, open_leads_with_next_action from kpi.kpi_inside_sales "
        "where is_as_of_date and open_leads > 0",
    ).set_index("rep_user_id")
    leads = next_actions(reference)
    expected = leads.groupby("owner_id").agg(
        open_leads=("has_next_action", "size"), open_leads_with_next_action=("has_next_action", "sum")
    )
    assert expected["open_leads_with_next_action"].sum() > 0
    pd.testing.assert_frame_equal(
        marts.sort_index().astype("int64"), expected.sort_index().astype("int64"), check_names=False
    )


def test_no_status_or_flag_on_an_immature_benchmark_row(built_warehouse):
    rows = _query(built_warehouse, "select status, immature_reason, is_unfavourable from kpi.kpi_benchmarks")
    immature = rows[rows["immature_reason"].notna()]
    assert {"period_not_complete", "window_open"} <= set(immature["immature_reason"])
    assert (immature["status"] == "immature").all()
    assert not immature["is_unfavourable"].any()
    mature = rows[rows["immature_reason"].isna()]
    assert mature["status"].isin(["below", "within", "above"]).all() and len(mature) > 0
    assert (rows["status"] == "immature").sum() == len(immature)
