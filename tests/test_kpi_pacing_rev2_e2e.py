"""End to end: target pacing's projection (着地見込) and the demo targets, against the
independent pandas reading of the raw extracts (tests/pandas_reference.py).

- No projection before var min_elapsed_share (20%) of a period's business days has
  passed - business days counted in pandas from the calendar seeds - and a run-rate
  projection after it (demo warehouse).
- Wins and won amount on the as-of date of a running quarter are won to date plus the
  open pipeline closing in the quarter, weighted by forecast category else stage (a demo
  cut off mid-quarter, built here).
- The demo targets (seeds/kpi_targets.csv) put the default demo at 70-120% attainment
  in every department target period that is over, the quarters and halves derived from
  them included.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pandas_reference import (
    Reference,
    business_days,
    pacing_actuals,
    pacing_targets,
    target_actuals,
    wins_projection,
)

from orchestration import config
from orchestration.dbt_project import dbt_executable

pytestmark = pytest.mark.e2e

MIN_ELAPSED_SHARE = 0.2  # dbt var min_elapsed_share
BIN = Path(sys.executable).parent
_PACING = "select * from kpi.kpi_target_pacing"


def _pacing(warehouse: Path) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(_PACING).df()
    for column in ("calendar_date", "period_start", "period_end_date"):
        rows[column] = pd.to_datetime(rows[column])
    return rows


def _elapsed_shares(rows: pd.DataFrame) -> pd.Series:
    """Business days of the period up to each row's day / in the whole period (pandas calendar)."""
    flags = business_days(rows["period_start"].min(), rows["period_end_date"].max()).astype(int)
    running = flags.cumsum()
    before_start = running.reindex(rows["period_start"] - pd.Timedelta(days=1)).fillna(0).to_numpy()
    elapsed = running.reindex(rows["calendar_date"]).to_numpy() - before_start
    in_period = running.reindex(rows["period_end_date"]).to_numpy() - before_start
    return pd.Series(elapsed / in_period, index=rows.index)


def test_no_projection_before_the_minimum_elapsed_share(built_warehouse):
    rows = _pacing(built_warehouse.warehouse)
    share = _elapsed_shares(rows)
    early = rows[share < MIN_ELAPSED_SHARE]
    assert len(early) > 0 and early["projected_value"].isna().all(), early[early["projected_value"].notna()]
    run_rate = rows[(share >= MIN_ELAPSED_SHARE) & ~rows["kpi"].isin(["won", "won_amount"])]
    assert len(run_rate) > 0 and run_rate["projected_value"].notna().all()
    # The running period on the demo's as-of date (the first business day of a quarter) has none.
    assert rows.loc[rows["is_as_of_date"], "projected_value"].isna().all()


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-4000:]}{done.stderr[-4000:]}"


@pytest.fixture(scope="module")
def mid_quarter(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small demo cut off on 2026-08-19, mid fiscal quarter, built up to kpi_target_pacing."""
    from orchestration.demo_data import generate

    root = tmp_path_factory.mktemp("mid_quarter")
    landing, warehouse = root / "landing", root / "warehouse" / "fukan.duckdb"
    generate(landing, leads=1000, seed=7, end=date(2026, 8, 19), progress=False)
    env = {
        **os.environ,
        "FUKAN_WAREHOUSE": str(warehouse),
        "FUKAN_LANDING_DIR": str(landing),
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_LOG_PATH": str(root / "logs"),
    }
    _run([str(BIN / "fukan"), "ingest", "--quiet"], env)
    project = str(config.DBT_PROJECT_DIR)
    _run(
        [
            dbt_executable(),
            "build",
            "--select",
            "+kpi_target_pacing",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            "--project-dir",
            project,
            "--profiles-dir",
            project,
        ],
        env,
    )
    return landing, warehouse


def test_wins_projection_is_won_to_date_plus_weighted_open_pipeline(mid_quarter):
    landing, warehouse = mid_quarter
    reference = Reference(landing)
    rows = _pacing(warehouse)
    department = (
        rows["is_as_of_date"] & rows["kpi"].isin(["won", "won_amount"]) & (rows["target_level"] == "department")
    )
    today = rows[department]
    # The running quarter and the running fiscal half (derived for won, given for won_amount).
    assert sorted(today["period_grain"]) == ["fiscal_half", "fiscal_half", "fiscal_quarter", "fiscal_quarter"], today
    assert (today["calendar_date"] == Reference.reporting_date(pd.Series([reference.as_of])).iloc[0]).all()
    assert (_elapsed_shares(today) >= MIN_ELAPSED_SHARE).all()
    assert (today["projection_method"] == "won_plus_weighted_pipeline").all()
    for row in today.itertuples():
        expected = wins_projection(reference, row.period_start, row.period_end_date)
        assert row.projected_value == pytest.approx(expected[row.kpi], rel=1e-9), (row.kpi, row.period_grain)
        assert row.weighted_open_pipeline > 0, (row.kpi, row.period_grain)


def test_demo_targets_land_between_70_and_120_percent(tmp_path):
    from orchestration.demo_data import generate

    generate(tmp_path, progress=False)  # the default demo, which the targets are set for
    reference = Reference(tmp_path)
    as_of_date = Reference.reporting_date(pd.Series([reference.as_of])).iloc[0]
    actuals = pacing_actuals(reference)
    targets = pacing_targets()
    department_level = (targets["owner_id"] == "") & (targets["team_id"] == "")
    over = targets[department_level & (targets["period_end_date"] <= as_of_date)].copy()
    over["actual"] = [
        target_actuals(actuals, t).loc[t.period_start : t.period_end_date].sum() for t in over.itertuples()
    ]
    over["attainment"] = over["actual"] / over["target_value"]
    assert len(over) > 100 and set(over["period_grain"]) == {"month", "fiscal_quarter", "fiscal_half"}
    outside = over[~over["attainment"].between(0.7, 1.2)]
    assert outside.empty, outside[["period_grain", "period_start", "kpi", "actual", "target_value", "attainment"]]
