"""End to end: inside-sales counts in the KPI marts against pandas over the raw extracts.

The expected figures come straight from the landing files the pipeline read, through the
one pandas reading of them (tests/pandas_reference.py: latest version per id by
system_modstamp, then the later file; deleted records dropped) and the default seeds
applied in pandas: call dispositions mapped ignoring case and
surrounding spaces, the owner's department and team as of the activity's day
(Reference.owner_as_of: the user rows' versions, the override seed within its dates),
days cut in Asia/Tokyo. None
of the SQL under test is reused, so a mistake in a staging, fact or mart model shows up
as a difference here.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pandas_reference import Reference, boolean

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
TIME_ZONE = "Asia/Tokyo"
COUNTS = ["calls", "connected_calls", "appointments"]

pytestmark = pytest.mark.e2e


def _timestamps(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, format="ISO8601")


def _tokyo_date(values: pd.Series) -> pd.Series:
    return _timestamps(values).dt.tz_convert(TIME_ZONE).dt.tz_localize(None).dt.normalize()


def _normalise(values: pd.Series) -> pd.Series:
    return values.astype("string").str.replace("\u3000", " ").str.strip().str.lower()


# --- the independent computation ----------------------------------------------------


def expected_inside_sales(landing: Path) -> pd.DataFrame:
    """Calls, connected calls and appointments of inside-sales owners per rep and month."""
    reference = Reference(landing)
    tasks, events = reference.latest("task"), reference.latest("event")

    dispositions = pd.read_csv(SEEDS / "call_disposition_mapping.csv", dtype=str)
    connected = set(_normalise(dispositions.loc[dispositions["is_connected"] == "true", "call_disposition"]))
    is_completed = boolean(tasks["is_closed"]).fillna(tasks["completed_date_time"].notna()).astype(bool)
    is_call = (tasks["task_subtype"] == "Call") | (tasks["type"] == "Call")
    calls = tasks[is_call & is_completed].assign(
        calls=1, connected_calls=lambda f: _normalise(f["call_disposition"]).isin(connected).astype(int), appointments=0
    )

    event_types = pd.read_csv(SEEDS / "event_type_mapping.csv", dtype=str)
    is_meeting_type = dict(zip(event_types["event_type"], event_types["is_meeting"] == "true", strict=True))
    event_type = events["type"].astype("string").str.strip()
    is_meeting = event_type.isna() | (event_type == "") | event_type.map(is_meeting_type).fillna(False).astype(bool)
    # An appointment is a meeting booked on a lead (who_id the lead or its converted contact).
    on_lead = events["id"].map(reference.activities.set_index("id")["lead_id"]).notna()
    meetings = events[is_meeting & on_lead].assign(calls=0, connected_calls=0, appointments=1)

    activities = pd.concat([calls, meetings], ignore_index=True)
    activities["day"] = _tokyo_date(activities["created_date"])
    owner = reference.owner_as_of(activities["owner_id"], activities["day"])
    activities["team_id"] = owner["team_id"].fillna("unassigned")
    inside = activities[owner["department"] == "inside_sales"].copy()
    inside["month_start"] = inside["day"].dt.to_period("M").dt.to_timestamp()
    return (
        inside.rename(columns={"owner_id": "rep_user_id"})
        .groupby(["rep_user_id", "team_id", "month_start"], as_index=False)[COUNTS]
        .sum()
    )


# --- the tests ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def expected(built_warehouse) -> pd.DataFrame:
    return expected_inside_sales(Path(built_warehouse.landing))


@pytest.fixture(scope="module")
def warehouse(built_warehouse):
    con = duckdb.connect(str(built_warehouse.warehouse), read_only=True)
    built = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'kpi'"
        ).fetchall()
    }
    missing = {"kpi_inside_sales", "kpi_inside_sales_teams"} - built
    if missing:
        con.close()
        pytest.fail(
            f"the pipeline did not build kpi.{', kpi.'.join(sorted(missing))} (exit code "
            f"{built_warehouse.exit_code}); see the run log under {built_warehouse.dagster_home}/logs"
        )
    yield con
    con.close()


def _keyed(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    frame["month_start"] = pd.to_datetime(frame["month_start"])
    frame[COUNTS] = frame[COUNTS].astype("int64")
    frame = frame[frame[COUNTS].sum(axis=1) > 0]
    return frame.set_index(keys)[COUNTS].sort_index()


def test_inside_sales_counts_per_rep_and_month_match_the_extracts(expected, warehouse):
    mart = warehouse.execute("""
        select rep_user_id, month_start,
            sum(calls) as calls, sum(connected_calls) as connected_calls, sum(appointments) as appointments
        from kpi.kpi_inside_sales
        group by rep_user_id, month_start
    """).df()
    want = _keyed(
        expected.groupby(["rep_user_id", "month_start"], as_index=False)[COUNTS].sum(), ["rep_user_id", "month_start"]
    )
    got = _keyed(mart, ["rep_user_id", "month_start"])

    assert want["calls"].sum() > 10_000, "the demo should give the inside-sales team thousands of calls"
    assert want["appointments"].sum() > 100
    pd.testing.assert_frame_equal(got, want, check_names=False)


def test_inside_sales_team_months_match_the_extracts(expected, warehouse):
    mart = warehouse.execute("""
        select team_id, period_start as month_start, calls, connected_calls, appointments
        from kpi.kpi_inside_sales_teams
        where period_grain = 'month'
    """).df()
    want = _keyed(
        expected.groupby(["team_id", "month_start"], as_index=False)[COUNTS].sum(), ["team_id", "month_start"]
    )
    pd.testing.assert_frame_equal(_keyed(mart, ["team_id", "month_start"]), want, check_names=False)


def test_leaver_and_mover_history_stays_in_inside_sales(expected, warehouse):
    """The rep who left keeps the calls made before leaving; the rep who moved counts only before the move."""
    from orchestration.demo_data import DEPARTED_USERS, DEPARTMENT_MOVES

    ((leaver, leave_date),) = DEPARTED_USERS
    mover, move_date, _, _ = DEPARTMENT_MOVES[0]
    months = expected.groupby(["rep_user_id"])["month_start"].agg(["min", "max"])
    assert months.loc[leaver, "max"] <= pd.Timestamp(leave_date)
    assert months.loc[mover, "max"] < pd.Timestamp(move_date)

    (last_tenure_day,) = warehouse.execute(
        "select max(calendar_date) from kpi.kpi_inside_sales where rep_user_id = ? and is_in_tenure", [leaver]
    ).fetchone()
    assert last_tenure_day <= leave_date
    (mover_last_day,) = warehouse.execute(
        "select max(calendar_date) from kpi.kpi_inside_sales where rep_user_id = ?", [mover]
    ).fetchone()
    assert mover_last_day < move_date
