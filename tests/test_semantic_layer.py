"""The MetricFlow semantic layer, run with the `mf` CLI against the published copy (read
only): its configs validate, also against the warehouse, and `mf query` gives the KPI
marts' numbers - the issue's own example against kpi_marketing, quality-lead rate, won
amount and win rate by month against kpi_funnel_overview and kpi_field_sales, contact
rate by team and month against kpi_inside_sales_teams. And the rule that keeps a rate
defined once, read from the manifests: a ratio metric over a KPI mart divides the
numerator and denominator columns the mart declares for the rate of that name."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration import config
from orchestration.dbt_project import ensure_manifest
from orchestration.publish.layout import DATABASE

MF = str(Path(sys.executable).parent / "mf")
_NOT_LINKED = {"target", "logs", "dbt_packages", "profiles.yml"}


@pytest.fixture(scope="module")
def mf_env(published_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
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
    return {
        **os.environ,
        "DBT_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(config.DBT_PROJECT_DIR),
        "FUKAN_DBT_TARGET": "published",
        "FUKAN_PUBLISHED_DATABASE": str(published_copy / DATABASE),
    }


def _mf(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(
        [MF, *arguments], env=env, cwd=env["DBT_PROJECT_DIR"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _query(env: dict[str, str], out: Path, *arguments: str) -> pd.DataFrame:
    _mf(env, "query", *arguments, "--csv", str(out))
    return pd.read_csv(out, parse_dates=["metric_time__month"], dtype={"inside_sales_rep_day__team_id": str})


def _mart(published: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(published / DATABASE), read_only=True) as con:
        return con.execute(sql).df()


def test_mf_validate_configs_passes_against_the_published_copy(mf_env: dict[str, str]) -> None:
    printed = _mf(mf_env, "validate-configs")
    assert "Successfully validated semantic models against data warehouse" in printed
    assert "Successfully validated metrics against data warehouse" in printed


def test_quality_lead_rate_by_month_and_lead_source_equals_kpi_marketing(
    mf_env: dict[str, str],
    published_copy: Path,
    tmp_path: Path,
) -> None:
    metricflow = _query(
        mf_env,
        tmp_path / "mf.csv",
        "--metrics",
        "quality_lead_rate",
        "--group-by",
        "metric_time__month,lead__lead_source",
    )
    # kpi_marketing splits a lead source by campaign type: add up the rate's numerator and denominator.
    mart = _mart(
        published_copy,
        """
        select period_start, lead_source, sum(quality_leads) / sum(leads) as quality_lead_rate
        from kpi.kpi_marketing
        where period_grain = 'month'
        group by period_start, lead_source
        having sum(leads) > 0
    """,
    )
    joined = metricflow.merge(
        mart,
        how="outer",
        indicator=True,
        left_on=["metric_time__month", metricflow.lead__lead_source.fillna("(none)")],
        right_on=["period_start", mart.lead_source.fillna("(none)")],
    )
    assert (joined._merge == "both").all(), joined[joined._merge != "both"]
    assert len(joined) > 50
    pd.testing.assert_series_equal(
        joined.quality_lead_rate_x, joined.quality_lead_rate_y, check_names=False, rtol=1e-12
    )


def test_quality_lead_rate_won_amount_and_win_rate_by_month_equal_the_marts(
    mf_env: dict[str, str],
    published_copy: Path,
    tmp_path: Path,
) -> None:
    metricflow = _query(
        mf_env,
        tmp_path / "mf.csv",
        "--metrics",
        "quality_lead_rate,won_amount,win_rate_by_count",
        "--group-by",
        "metric_time__month",
    )
    overview = _mart(
        published_copy,
        """
        select period_start, quality_lead_rate_leads
        from kpi.kpi_funnel_overview
        where basis = 'cohort' and period_grain = 'month' and lead_quality = 'all' and leads > 0
    """,
    )
    # The months' figures summed over reps, computed here from the numerator and denominator.
    field_sales = _mart(
        published_copy,
        """
        select period_start, sum(won_amount) as won_amount, sum(won) / nullif(sum(closed), 0) as win_rate_by_count
        from kpi.kpi_field_sales
        where period_grain = 'month' and lead_quality = 'all'
        group by period_start
        having sum(closed) > 0
    """,
    )
    rates = metricflow.dropna(subset=["quality_lead_rate"]).merge(
        overview, left_on="metric_time__month", right_on="period_start", how="outer", indicator=True
    )
    assert (rates._merge == "both").all() and len(rates) > 20
    pd.testing.assert_series_equal(
        rates.quality_lead_rate, rates.quality_lead_rate_leads, check_names=False, rtol=1e-12
    )
    deals = metricflow.dropna(subset=["win_rate_by_count"]).merge(
        field_sales, left_on="metric_time__month", right_on="period_start", how="outer", indicator=True
    )
    assert (deals._merge == "both").all() and len(deals) > 20
    pd.testing.assert_series_equal(deals.won_amount_x, deals.won_amount_y, check_names=False, rtol=1e-9)
    pd.testing.assert_series_equal(deals.win_rate_by_count_x, deals.win_rate_by_count_y, check_names=False, rtol=1e-12)


def test_inside_sales_rates_by_team_and_month_equal_kpi_inside_sales_teams(
    mf_env: dict[str, str],
    published_copy: Path,
    tmp_path: Path,
) -> None:
    rates = ["contact_rate", "appointment_rate", "hearing_items_per_connected_call"]
    metricflow = _query(
        mf_env,
        tmp_path / "mf.csv",
        "--metrics",
        ",".join(rates),
        "--group-by",
        "metric_time__month,inside_sales_rep_day__team_id",
    )
    teams = _mart(
        published_copy,
        f"""
        select period_start, team_id, {", ".join(rates)}
        from kpi.kpi_inside_sales_teams
        where period_grain = 'month' and calls + appointments > 0
    """,
    )
    joined = metricflow.dropna(subset=rates, how="all").merge(
        teams,
        how="outer",
        indicator=True,
        left_on=["metric_time__month", "inside_sales_rep_day__team_id"],
        right_on=["period_start", "team_id"],
    )
    assert (joined._merge == "both").all(), joined[joined._merge != "both"]
    assert len(joined) > 20
    for rate in rates:
        pd.testing.assert_series_equal(joined[f"{rate}_x"], joined[f"{rate}_y"], check_names=False, rtol=1e-12)


def _declared_rates(manifest: dict) -> dict[str, dict[str, tuple[str, str]]]:
    """Mart name -> rate -> (numerator, denominator), as the marts' row_rules tests declare them."""
    declared: dict[str, dict[str, tuple[str, str]]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        if metadata.get("name") != "row_rules" or node.get("attached_node") not in manifest["nodes"]:
            continue  # not a row_rules test of a model (sources' tests are attached to no node)
        mart = manifest["nodes"][node["attached_node"]]["name"]
        for family in ("rates", "ratios"):
            for rate, spec in metadata["kwargs"].get(family, {}).items():
                pair = (spec["numerator"], spec["denominator"]) if isinstance(spec, dict) else tuple(spec)
                declared.setdefault(mart, {})[rate] = pair
    return declared


def test_ratio_metrics_over_a_kpi_mart_divide_the_columns_of_the_marts_rate() -> None:
    """A rate is defined once, by its numerator and denominator columns in the KPI mart.
    A semantic model over a KPI mart only sums that mart's columns, and a ratio metric
    named as one of the mart's rates divides exactly that rate's two columns; a ratio
    metric over a KPI mart that is no rate of it has no definition to agree with."""
    manifest_path = ensure_manifest()
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    semantic = json.loads(manifest_path.with_name("semantic_manifest.json").read_text(encoding="utf-8"))
    declared = _declared_rates(manifest)
    mart_of_measure, column_of_measure = {}, {}
    for model in semantic["semantic_models"]:
        mart = model["node_relation"]["alias"]
        for measure in model["measures"]:
            column = measure.get("expr") or measure["name"]
            if mart.startswith("kpi_"):
                assert measure["agg"] == "sum" and column.isidentifier(), f"{model['name']}.{measure['name']}: {column}"
            mart_of_measure[measure["name"]], column_of_measure[measure["name"]] = mart, column
    metrics = {metric["name"]: metric for metric in semantic["metrics"]}

    def column_of(metric_name: str) -> tuple[str, str]:
        measure = metrics[metric_name]["type_params"]["measure"]["name"]
        return mart_of_measure[measure], column_of_measure[measure]

    checked = set()
    for name, metric in metrics.items():
        if metric["type"] != "ratio":
            continue
        (mart, numerator), (denominator_mart, denominator) = (
            column_of(metric["type_params"][side]["name"]) for side in ("numerator", "denominator")
        )
        if not mart.startswith("kpi_"):
            continue
        assert denominator_mart == mart, f"{name}: numerator from {mart}, denominator from {denominator_mart}"
        assert name in declared.get(mart, {}), f"{name} is no rate of {mart}: {sorted(declared.get(mart, {}))}"
        assert (numerator, denominator) == declared[mart][name], name
        checked.add(name)
    assert {"contact_rate", "appointment_rate", "hearing_items_per_connected_call", "win_rate_by_count"} <= checked


def test_pipeline_metrics_equal_the_pipeline_marts(
    mf_env: dict[str, str],
    published_copy: Path,
    tmp_path: Path,
) -> None:
    """Open pipeline is a stock: by quarter it is the pipeline at the quarter's first day (the
    mart's fiscal-quarter snapshot), not three month starts added up. The waterfall's month
    rows and the quarter-start forecasts (着地見込, target, coverage) equal the marts."""

    def query(metrics: str, grain: str) -> pd.DataFrame:
        out = tmp_path / f"{grain}.csv"
        _mf(mf_env, "query", "--metrics", metrics, "--group-by", f"metric_time__{grain}", "--csv", str(out))
        frame = pd.read_csv(out)
        return frame.set_index(pd.DatetimeIndex(frame.pop(f"metric_time__{grain}")).as_unit("ns")).sort_index()

    def mart(sql: str) -> pd.DataFrame:
        frame = _mart(published_copy, sql)
        return frame.set_index(pd.DatetimeIndex(frame.pop("period_start")).as_unit("ns")).sort_index()

    # The demo's fiscal year starts in April, so calendar quarters are its fiscal quarters.
    stock = query("open_pipeline_amount", "quarter").join(
        mart(
            "select snapshot_date as period_start, sum(open_amount) as quarter_start_amount "
            "from kpi.kpi_pipeline_snapshots where snapshot_kind = 'fiscal_quarter' group by snapshot_date"
        ),
        how="inner",
    )
    assert len(stock) > 5
    pd.testing.assert_series_equal(
        stock.open_pipeline_amount, stock.quarter_start_amount, check_names=False, rtol=1e-12
    )

    waterfall = query("pipeline_start_amount,pipeline_end_amount", "month")
    expected = mart(
        "select period_start, sum(start_amount) as pipeline_start_amount, sum(end_amount) as pipeline_end_amount "
        "from kpi.kpi_pipeline_waterfall where period_grain = 'month' group by period_start"
    )
    assert len(expected) > 20
    pd.testing.assert_frame_equal(waterfall, expected, check_names=False, check_freq=False, rtol=1e-12)

    forecast = query("pipeline_forecast_amount,pipeline_target_amount,coverage_ratio", "quarter")
    expected = mart(
        "select period_start, forecast_amount as pipeline_forecast_amount, target_amount as pipeline_target_amount, "
        "coverage_ratio from kpi.kpi_pipeline_forecast "
        "where period_grain = 'fiscal_quarter' and forecast_point = 'period_start'"
    )
    assert expected.coverage_ratio.notna().sum() > 5
    pd.testing.assert_frame_equal(forecast, expected, check_names=False, check_freq=False, rtol=1e-12)
