"""The MetricFlow semantic layer, run with the `mf` CLI against the published copy (read
only): its configs validate, also against the warehouse, and `mf query` gives the KPI
marts' numbers - the issue's own example against kpi_marketing, and quality-lead rate,
won amount and win rate by month against kpi_funnel_overview and kpi_field_sales."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from report_fixtures import published_copy  # noqa: F401  (fixture)

from orchestration import config
from orchestration.dbt_project import ensure_manifest
from orchestration.publish.layout import DATABASE

MF = str(Path(sys.executable).parent / "mf")
_NOT_LINKED = {"target", "logs", "dbt_packages", "profiles.yml"}


@pytest.fixture(scope="module")
def mf_env(published_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:  # noqa: F811
    """What `mf` needs, in a folder of its own: the project's files linked in, this
    checkout's semantic manifest (mf reads `<project>/target/semantic_manifest.json`),
    and the project's `published` profile target, which opens the published copy read-only."""
    root = tmp_path_factory.mktemp("metricflow")
    project = root / "dbt_project"
    project.mkdir()
    for entry in config.DBT_PROJECT_DIR.iterdir():
        if entry.name not in _NOT_LINKED:
            (project / entry.name).symlink_to(entry)
    (root / config.SEEDS_DIR.name).symlink_to(config.SEEDS_DIR)  # seed-paths: ../seeds
    (project / "target").mkdir()
    shutil.copy(ensure_manifest().with_name("semantic_manifest.json"), project / "target")
    return {**os.environ, "DBT_PROJECT_DIR": str(project), "DBT_PROFILES_DIR": str(config.DBT_PROJECT_DIR),
            "FUKAN_DBT_TARGET": "published", "FUKAN_PUBLISHED_DATABASE": str(published_copy / DATABASE)}


def _mf(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run([MF, *arguments], env=env, cwd=env["DBT_PROJECT_DIR"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _query(env: dict[str, str], out: Path, *arguments: str) -> pd.DataFrame:
    _mf(env, "query", *arguments, "--csv", str(out))
    return pd.read_csv(out, parse_dates=["metric_time__month"])


def _mart(published: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(published / DATABASE), read_only=True) as con:
        return con.execute(sql).df()


def test_mf_validate_configs_passes_against_the_published_copy(mf_env: dict[str, str]) -> None:
    printed = _mf(mf_env, "validate-configs")
    assert "Successfully validated semantic models against data warehouse" in printed
    assert "Successfully validated metrics against data warehouse" in printed


def test_quality_lead_rate_by_month_and_lead_source_equals_kpi_marketing(
    mf_env: dict[str, str], published_copy: Path, tmp_path: Path,  # noqa: F811
) -> None:
    metricflow = _query(mf_env, tmp_path / "mf.csv",
                        "--metrics", "quality_lead_rate", "--group-by", "metric_time__month,lead__lead_source")
    # kpi_marketing splits a lead source by campaign type: add up the rate's numerator and denominator.
    mart = _mart(published_copy, """
        select period_start, lead_source, sum(quality_leads) / sum(leads) as quality_lead_rate
        from kpi.kpi_marketing
        where period_grain = 'month'
        group by period_start, lead_source
        having sum(leads) > 0
    """)
    joined = metricflow.merge(
        mart, how="outer", indicator=True,
        left_on=["metric_time__month", metricflow.lead__lead_source.fillna("(none)")],
        right_on=["period_start", mart.lead_source.fillna("(none)")],
    )
    assert (joined._merge == "both").all(), joined[joined._merge != "both"]
    assert len(joined) > 50
    pd.testing.assert_series_equal(joined.quality_lead_rate_x, joined.quality_lead_rate_y,
                                   check_names=False, rtol=1e-12)


def test_quality_lead_rate_won_amount_and_win_rate_by_month_equal_the_marts(
    mf_env: dict[str, str], published_copy: Path, tmp_path: Path,  # noqa: F811
) -> None:
    metricflow = _query(mf_env, tmp_path / "mf.csv",
                        "--metrics", "quality_lead_rate,won_amount,win_rate", "--group-by", "metric_time__month")
    overview = _mart(published_copy, """
        select period_start, quality_lead_rate_leads
        from kpi.kpi_funnel_overview
        where basis = 'cohort' and period_grain = 'month' and lead_quality = 'all' and leads > 0
    """)
    field_sales = _mart(published_copy, """
        select period_start, sum(won_amount) as won_amount, sum(won) / nullif(sum(closed), 0) as win_rate
        from kpi.kpi_field_sales
        where period_grain = 'month' and lead_quality = 'all'
        group by period_start
        having sum(closed) > 0
    """)
    rates = metricflow.dropna(subset=["quality_lead_rate"]).merge(
        overview, left_on="metric_time__month", right_on="period_start", how="outer", indicator=True)
    assert (rates._merge == "both").all() and len(rates) > 20
    pd.testing.assert_series_equal(rates.quality_lead_rate, rates.quality_lead_rate_leads,
                                   check_names=False, rtol=1e-12)
    deals = metricflow.dropna(subset=["win_rate"]).merge(
        field_sales, left_on="metric_time__month", right_on="period_start", how="outer", indicator=True)
    assert (deals._merge == "both").all() and len(deals) > 20
    pd.testing.assert_series_equal(deals.won_amount_x, deals.won_amount_y, check_names=False, rtol=1e-9)
    pd.testing.assert_series_equal(deals.win_rate_x, deals.win_rate_y, check_names=False, rtol=1e-12)
