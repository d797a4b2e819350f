"""End to end: who did it, as they were then. Every activity counts for the department and
team its owner belonged to on its day (Tokyo), from the versions of the user rows the
extracts delivered; checked against the pandas reference (tests/pandas_reference.py:
Reference.user_periods / owner_as_of), never against the SQL under test.

On the demo, a rep moved from inside to field sales on 2025-04-01 and two inside-sales
reps changed team mid-year, each move arriving in a later user file. A second warehouse
gets a move the way Salesforce sends one after the fact: a later user file with a new
department and role, loaded into the built warehouse and refreshed incrementally.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pandas_reference import Reference, read_versions
from run_dbt_cli import MODELS_AND_SEEDS, run_dbt

from orchestration.demo_data import DEPARTMENT_MOVES, TEAM_MOVES
from orchestration.ingest import ingest_landing

pytestmark = pytest.mark.e2e

# An inside-sales rep of the demo (who changed team in 2025), and when a later user file moves them.
LATE_MOVER = "005000000000000013"
LATE_MOVE_AT = "2026-10-01T01:00:00.000+0000"  # 10:00 on the delta day in Tokyo
LATE_MOVE_DAY = pd.Timestamp("2026-10-01")


def field_sales_teams(landing: Path) -> set[str]:
    """Role ids under the field-sales department role (the role tree of the extracts)."""
    roles = Reference(landing).latest("user_role")
    parent = dict(zip(roles["id"], roles["parent_role_id"], strict=True))
    (top,) = roles.loc[roles["developer_name"] == "Field_Sales", "id"]
    teams = set()
    for role in roles["id"]:
        node = role
        while node is not None and not pd.isna(node):
            if node == top:
                teams.add(role)
                break
            node = parent.get(node)
    return teams


def inside_sales_calls_by_team_month(landing: Path) -> pd.Series:
    """Completed calls of owners in inside sales on the call's day, per team as of that day and month."""
    reference = Reference(landing)
    activities = reference.activities
    calls = activities[(activities["activity_type"] == "call") & activities["is_completed"]].copy()
    calls["day"] = reference.reporting_date(pd.to_datetime(calls["created_date"]))
    owner = reference.owner_as_of(calls["owner_id"], calls["day"])
    calls = calls[owner["department"] == "inside_sales"].assign(team_id=owner["team_id"].fillna("unassigned"))
    calls["month_start"] = calls["day"].dt.to_period("M").dt.to_timestamp()
    return calls.groupby(["team_id", "month_start"]).size().rename("calls").sort_index()


def mart_calls_by_team_month(warehouse: Path) -> pd.Series:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = con.execute("""
            select team_id, period_start as month_start, calls
            from kpi.kpi_inside_sales_teams
            where period_grain = 'month' and calls > 0
        """).df()
    frame["month_start"] = pd.to_datetime(frame["month_start"])
    return frame.set_index(["team_id", "month_start"])["calls"].astype("int64").sort_index()


# --- the demo warehouse ---------------------------------------------------------------------


def test_no_inside_sales_activity_under_a_field_sales_team(built_warehouse):
    teams = sorted(field_sales_teams(built_warehouse.landing))
    assert len(teams) >= 2  # the field-sales department role and its teams
    mover, move_date, _, _ = DEPARTMENT_MOVES[0]
    marks = ", ".join("?" * len(teams))
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        (misfiled,) = con.execute(
            f"select count(*) from marts.fct_activities where owner_department = 'inside_sales' "
            f"and owner_team_id in ({marks})",
            teams,
        ).fetchone()
        (mover_inside,) = con.execute(
            "select count(*) from marts.fct_activities where owner_user_id = ? and occurred_date < ? "
            "and activity_type = 'call' and owner_department = 'inside_sales'",
            [mover, move_date],
        ).fetchone()
        in_marts = {
            table: con.execute(f"select count(*) from kpi.{table} where team_id in ({marks})", teams).fetchone()[0]
            for table in ("kpi_inside_sales", "kpi_inside_sales_teams", "kpi_benchmarks")
        }
    assert mover_inside > 1000, "the mover's inside-sales calls should be in the facts"
    assert misfiled == 0
    assert in_marts == dict.fromkeys(in_marts, 0)


def test_inside_sales_calls_per_team_and_month_match_the_reference(built_warehouse):
    want = inside_sales_calls_by_team_month(built_warehouse.landing)
    got = mart_calls_by_team_month(built_warehouse.warehouse)
    assert want.sum() > 10_000
    pd.testing.assert_series_equal(got, want, check_names=False, check_index_type=False)


def test_team_movers_change_team_on_the_day_of_the_move(built_warehouse):
    """The inside-sales rep-days of a rep who changed team carry the old team before the
    move and the new one from its day."""
    moves = [move for move in TEAM_MOVES if move[0] not in {m[0] for m in DEPARTMENT_MOVES}]
    assert moves
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        for rep, day, before, after in moves:
            teams = con.execute(
                "select calendar_date >= ? as after_move, list(distinct team_id) from kpi.kpi_inside_sales "
                "where rep_user_id = ? and calls > 0 group by all order by 1",
                [day, rep],
            ).fetchall()
            assert teams == [(False, [before]), (True, [after])], rep


# --- a move that arrives in a later user file --------------------------------------------------


def _late_move_file(landing: Path, target: Path) -> None:
    """The late mover's latest user row, moved to field sales (department and role) at LATE_MOVE_AT."""
    versions = read_versions(landing, "user")
    source = sorted((landing / "user").glob("*_full.csv"))[-1]
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    (row,) = (r for r in rows if r["Id"] == LATE_MOVER)
    field_sales = versions.loc[versions["department"] == "Field Sales", "user_role_id"].iloc[0]
    row |= {"Department": "Field Sales", "UserRoleId": field_sales}
    row |= {"SystemModstamp": LATE_MOVE_AT, "LastModifiedDate": LATE_MOVE_AT}
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerow(row)


@pytest.fixture(scope="module")
def late_move(built_warehouse, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The built warehouse, then a later user file moving LATE_MOVER to field sales,
    loaded and refreshed incrementally (the recorded build makes it incremental)."""
    root = tmp_path_factory.mktemp("late_move")
    landing, warehouse = root / "landing", root / "fukan.duckdb"
    shutil.copytree(built_warehouse.landing, landing)
    shutil.copy(built_warehouse.warehouse, warehouse)
    _late_move_file(landing, landing / "user" / "user_20261001_delta.csv")
    ingest_landing(landing, warehouse, progress=False)
    run_dbt([*MODELS_AND_SEEDS, "--quiet"], warehouse, root / "target")
    return landing, warehouse


def test_a_later_user_file_leaves_earlier_calls_under_inside_sales(late_move):
    landing, warehouse = late_move
    with duckdb.connect(str(warehouse), read_only=True) as con:
        periods = con.execute(
            "select valid_from, valid_to, department from marts.dim_users where user_id = ? order by valid_from",
            [LATE_MOVER],
        ).fetchall()
        by_department = dict(
            con.execute(
                "select owner_department, count(*) from marts.fct_activities "
                "where owner_user_id = ? and activity_type = 'call' and occurred_date < ? group by all",
                [LATE_MOVER, LATE_MOVE_DAY.date()],
            ).fetchall()
        )
    # The last two periods: inside sales up to the day of the move, field sales from it.
    assert [(valid_to, department) for _, valid_to, department in periods[-2:]] == [
        (LATE_MOVE_DAY.date(), "inside_sales"),
        (None, "field_sales"),
    ]
    assert set(by_department) == {"inside_sales"} and by_department["inside_sales"] > 1000
    want = inside_sales_calls_by_team_month(landing)
    pd.testing.assert_series_equal(mart_calls_by_team_month(warehouse), want, check_names=False, check_index_type=False)
