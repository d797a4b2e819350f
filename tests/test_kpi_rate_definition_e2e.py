"""A rate is defined in one place: change it there and the KPI mart, the semantic layer's
`mf query` and the report's figure all change together, and still agree.

On a copy of the dbt project (and seeds), built from a tiny demo (300 leads): the contact
rate per team and month in kpi_inside_sales_teams, MetricFlow's contact_rate by month and
team, and the benchmark figure the report draws (kpi_benchmarks, read as the report reads
the published copy) are compared before and after one edit - what a connected call is,
in int_kpi_inside_sales_rep_days, the one model that counts connected_calls, the rate's
numerator.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration import config
from orchestration.dbt_project import dbt_executable
from orchestration.publish import publish
from orchestration.publish.layout import DATABASE
from orchestration.report.data import read_published

pytestmark = pytest.mark.e2e

LEADS = 300
BIN = Path(sys.executable).parent
DEFINITION = "models/kpi_inputs/int_kpi_inside_sales_rep_days.sql"
CONNECTED_CALL = "activities.activity_type = 'call' and activities.is_completed and activities.is_connected then 1"
# The data team's new definition: a call counts as connected only when it captured a hearing item.
CONNECTED_WITH_HEARING = CONNECTED_CALL.replace(
    "activities.is_connected", "activities.is_connected and activities.hearing_item_count > 0"
)
KEY = ["period_start", "team_id"]


def _copy_project(root: Path) -> Path:
    """dbt_project/ and seeds/ side by side (seed-paths: ../seeds), without build output."""
    project = root / "dbt_project"
    shutil.copytree(config.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    shutil.copytree(config.SEEDS_DIR, root / config.SEEDS_DIR.name)
    return project


def _run(command: list[str], env: dict[str, str], cwd: Path | None = None) -> str:
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}{done.stderr}"
    return done.stdout


def _build_and_publish(project: Path, env: dict[str, str], published: Path, run_id: str) -> None:
    # Models and seeds only: the reconciliation tests recount connected calls independently,
    # so they rightly fail on the edited definition until someone edits them too.
    _run(
        [
            dbt_executable(),
            "build",
            "--exclude-resource-type",
            "test",
            "--exclude-resource-type",
            "unit_test",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
        ],
        env,
    )
    publish(Path(env["FUKAN_WAREHOUSE"]), published, run_id=run_id, checks={})


def _figures(project: Path, env: dict[str, str], published: Path, out: Path) -> pd.DataFrame:
    """Contact rate per month and team: the mart's, MetricFlow's and the report's, side by side."""
    with duckdb.connect(str(published / DATABASE), read_only=True) as con:
        mart = con.execute("""
            select period_start, team_id, contact_rate as mart
            from kpi.kpi_inside_sales_teams
            where period_grain = 'month' and calls > 0
        """).df()
    mf_env = {
        **env,
        "DBT_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(project),
        "FUKAN_DBT_TARGET": "published",
        "FUKAN_PUBLISHED_DATABASE": str(published / DATABASE),
    }
    _run(
        [
            str(BIN / "mf"),
            "query",
            "--metrics",
            "contact_rate",
            "--group-by",
            "metric_time__month,inside_sales_rep_day__team_id",
            "--csv",
            str(out),
        ],
        mf_env,
        cwd=project,
    )
    semantic = (
        pd.read_csv(out, parse_dates=["metric_time__month"], dtype={"inside_sales_rep_day__team_id": str})
        .rename(
            columns={
                "metric_time__month": "period_start",
                "inside_sales_rep_day__team_id": "team_id",
                "contact_rate": "semantic",
            }
        )
        .dropna(subset=["semantic"])
    )
    report = read_published(published).benchmarks
    report = (
        report[report.kpi == "contact_rate"][[*KEY, "kpi_value"]]
        .rename(columns={"kpi_value": "report"})
        .astype({"report": float})
    )
    report["period_start"] = pd.to_datetime(report.period_start)
    mart["period_start"] = pd.to_datetime(mart.period_start)
    figures = mart.merge(semantic, on=KEY, how="outer", validate="one_to_one")
    assert figures.mart.notna().all() and figures.semantic.notna().all(), figures
    pd.testing.assert_series_equal(figures.mart, figures.semantic, check_names=False, rtol=1e-12)
    # The report shows the latest complete month, as kpi_benchmarks holds it.
    shown = figures.merge(report, on=KEY, how="inner", validate="one_to_one")
    assert len(shown) == len(report) > 0
    pd.testing.assert_series_equal(shown.mart, shown.report, check_names=False, rtol=1e-12)
    return shown.set_index(KEY)


def test_editing_the_numerator_of_contact_rate_changes_mart_semantic_layer_and_report_together(
    tmp_path: Path,
) -> None:
    from orchestration.demo_data import generate

    project = _copy_project(tmp_path / "project")
    landing, published = tmp_path / "landing", tmp_path / "warehouse" / "published"
    generate(landing, leads=LEADS, seed=7, progress=False)
    env = {
        **os.environ,
        "FUKAN_WAREHOUSE": str(tmp_path / "warehouse" / "fukan.duckdb"),
        "FUKAN_LANDING_DIR": str(landing),
        "DBT_TARGET_PATH": str(project / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    _run([str(BIN / "fukan"), "ingest", "--quiet"], env)
    _build_and_publish(project, env, published, "before")
    before = _figures(project, env, published, tmp_path / "before.csv")

    model = project / DEFINITION
    sql = model.read_text(encoding="utf-8")
    assert sql.count(CONNECTED_CALL) == 1, f"{DEFINITION} no longer defines connected_calls in one line"
    model.write_text(sql.replace(CONNECTED_CALL, CONNECTED_WITH_HEARING), encoding="utf-8")
    _build_and_publish(project, env, published, "after")
    after = _figures(project, env, published, tmp_path / "after.csv")

    assert before.index.equals(after.index)
    changed = (after.mart - before.mart).abs() > 1e-12
    assert changed.any(), "the new definition changed no contact rate the report shows"
    assert (after.mart <= before.mart + 1e-12).all()  # fewer connected calls, same calls
