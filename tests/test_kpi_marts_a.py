"""The KPI marts kpi_funnel_overview, kpi_field_sales and kpi_funnel_health end to end.

The warehouse built by the session fixture `built_warehouse` (3000 generated demo leads
through the whole pipeline) is compared with an independent pandas reading of the raw
landing files (tests/pandas_reference.py: latest-wins by system_modstamp, deletes
dropped, quality on attributes as created from seeds/quality_lead_rules.csv, the
cumulative funnel rule), never with the SQL under test. The funnel-health flags are
checked against the generator's own calendar of what happened: a volume push that
lowers lead quality, and a quiet period.
"""

from __future__ import annotations

from datetime import timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest
from pandas_reference import SEEDS, Reference


def _bool(series: pd.Series) -> pd.Series:
    return series.fillna("false").astype(str).str.lower().isin(["true", "1"])


@pytest.fixture(scope="module")
def reference(built_warehouse) -> Reference:
    return Reference(built_warehouse.landing)


@pytest.fixture(scope="module")
def marts(built_warehouse) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        return {
            name: con.execute(f"select * from kpi.{name}").df()
            for name in ("kpi_funnel_overview", "kpi_field_sales", "kpi_funnel_health")
        }


@pytest.fixture(scope="module")
def as_of_date(reference) -> pd.Timestamp:
    return Reference.reporting_date(pd.Series([reference.as_of])).iloc[0]


def _with_all(frame: pd.DataFrame, keys: list[str], quality: str = "lead_quality") -> pd.DataFrame:
    """Add the 'all' rows: the sum over the quality classes."""
    total = frame.groupby([k for k in keys if k != quality]).sum(numeric_only=True).reset_index()
    return pd.concat([frame, total.assign(**{quality: "all"})], ignore_index=True)


# -- kpi_funnel_overview ---------------------------------------------------------------


def test_monthly_cohort_overview_matches_reference(reference, marts):
    funnel = reference.funnel().join(reference.quality()["lead_quality"])
    funnel = funnel[funnel["reached_lead"]]
    created = reference.leads.set_index("id")["created_date"]
    funnel["period_start"] = Reference.reporting_date(created.reindex(funnel.index)).dt.to_period("M").dt.to_timestamp()
    measures = {
        "leads": "reached_lead",
        "handed_off": "reached_handed_off",
        "opportunities": "reached_opportunity",
        "won": "reached_won",
    }
    grouped = funnel.groupby(["period_start", "lead_quality"])
    expected = pd.DataFrame({mart: grouped[flag].sum() for mart, flag in measures.items()})
    expected["won_amount"] = grouped["won_amount"].sum()
    expected = _with_all(expected.reset_index(), ["period_start", "lead_quality"])

    overview = marts["kpi_funnel_overview"]
    actual = overview[(overview["basis"] == "cohort") & (overview["period_grain"] == "month")].copy()
    actual["period_start"] = pd.to_datetime(actual["period_start"])
    columns = [*list(measures), "won_amount"]
    joined = actual.set_index(["period_start", "lead_quality"])[columns].join(
        expected.set_index(["period_start", "lead_quality"])[columns], suffixes=("", "_expected"), how="outer"
    )
    # every month of the mart is a month between the first and last data date; months
    # without leads are rows of zeros there and absent from the pandas grouping
    assert joined[[f"{c}" for c in columns]].notna().all().all(), "a month with leads is missing from the mart"
    joined = joined.fillna(0)
    for column in columns:
        assert np.allclose(joined[column], joined[f"{column}_expected"]), column
    assert set(actual["lead_quality"]) == {"quality", "general", "all"}
    assert joined.loc[(slice(None), "all"), "won"].sum() > 0, "the demo data should contain won deals"


def test_quality_leads_convert_better_in_the_overview(marts):
    overview = marts["kpi_funnel_overview"]
    years = overview[(overview["basis"] == "cohort") & (overview["period_grain"] == "fiscal_year")]
    totals = years.groupby("lead_quality")[["leads", "won"]].sum()
    assert (
        totals.loc["quality", "won"] / totals.loc["quality", "leads"]
        > totals.loc["general", "won"] / totals.loc["general", "leads"]
    )


# -- kpi_marketing ------------------------------------------------------------------------


def test_marketing_fiscal_halves_match_reference(reference, built_warehouse):
    """Per fiscal half-year (上期 from April, 下期 from October) and lead source, the
    cohort's leads, quality leads, opportunities, wins and won amount."""
    funnel = reference.funnel().join(reference.quality()["lead_quality"])
    leads = reference.leads.set_index("id").reindex(funnel.index)
    funnel = funnel.assign(lead_source=leads["lead_source"].fillna("unknown"))[funnel["reached_lead"]]
    created = Reference.reporting_date(leads["created_date"])
    fiscal_year = created.dt.year - (created.dt.month < 4).astype(int)
    half_month = 4 + (created.dt.month - 4) % 12 // 6 * 6  # April or October
    funnel["period_start"] = pd.to_datetime(pd.DataFrame({"year": fiscal_year, "month": half_month, "day": 1}))
    grouped = funnel.assign(quality_leads=funnel["lead_quality"] == "quality").groupby(["period_start", "lead_source"])
    expected = pd.DataFrame(
        {
            "leads": grouped["reached_lead"].sum(),
            "quality_leads": grouped["quality_leads"].sum(),
            "opportunities": grouped["reached_opportunity"].sum(),
            "won": grouped["reached_won"].sum(),
            "won_amount": grouped["won_amount"].sum(),
        }
    )
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        halves = con.execute(
            "select period_start, lead_source, sum(leads) as leads, sum(quality_leads) as quality_leads,"
            " sum(opportunities) as opportunities, sum(won) as won, sum(won_amount) as won_amount"
            " from kpi.kpi_marketing where period_grain = 'fiscal_half' and lead_source <> 'no_leads'"
            " group by period_start, lead_source"
        ).df()
    actual = halves.assign(period_start=pd.to_datetime(halves["period_start"])).set_index(
        ["period_start", "lead_source"]
    )
    assert len(expected.index.get_level_values("period_start").unique()) >= 3
    pd.testing.assert_frame_equal(
        actual.sort_index(), expected.sort_index()[actual.columns], check_dtype=False, check_exact=False
    )


# -- kpi_field_sales --------------------------------------------------------------------


def _reference_wins(reference: Reference, as_of_date: pd.Timestamp) -> pd.DataFrame:
    """Won deals and won amount per close month, owner and lead-quality class."""
    opportunities = reference.latest("opportunity")
    opportunities = opportunities[opportunities["created_date"] <= reference.as_of]
    stages = pd.read_csv(SEEDS / "opportunity_stage_mapping.csv", dtype=str).set_index("stage_name")
    mapped_won = opportunities["stage_name"].map(_bool(stages["is_won"]))
    is_won = mapped_won.where(
        mapped_won.notna(), _bool(opportunities.get("is_won", pd.Series(None, index=opportunities.index)))
    )
    wins = opportunities[is_won.astype(bool)].copy()
    wins["close_date"] = pd.to_datetime(wins["close_date"])
    wins = wins[wins["close_date"] <= as_of_date]

    leads = reference.leads
    converted = leads.dropna(subset=["converted_opportunity_id"])
    origin = converted.groupby("converted_opportunity_id")["id"].min()
    quality = reference.quality()["lead_quality"]
    lead_of = wins["id"].map(origin)
    wins["lead_quality"] = lead_of.map(quality).where(lead_of.notna(), "not_lead_sourced")
    wins["period_start"] = wins["close_date"].dt.to_period("M").dt.to_timestamp()
    wins["won_amount"] = pd.to_numeric(wins["amount"]).fillna(0)
    expected = (
        wins.groupby(["period_start", "owner_id", "lead_quality"])
        .agg(won=("id", "size"), won_amount=("won_amount", "sum"))
        .reset_index()
    )
    return _with_all(
        expected.rename(columns={"owner_id": "owner_user_id"}), ["period_start", "owner_user_id", "lead_quality"]
    )


def test_field_sales_wins_and_won_amount_match_reference(reference, marts, as_of_date):
    expected = _reference_wins(reference, as_of_date)
    field_sales = marts["kpi_field_sales"]
    actual = field_sales[(field_sales["period_grain"] == "month") & (field_sales["won"] > 0)].copy()
    actual["period_start"] = pd.to_datetime(actual["period_start"])
    keys = ["period_start", "owner_user_id", "lead_quality"]
    joined = actual.set_index(keys)[["won", "won_amount"]].join(
        expected.set_index(keys)[["won", "won_amount"]], suffixes=("", "_expected"), how="outer"
    )
    missing = joined[joined.isna().any(axis=1)]
    assert missing.empty, f"wins only on one side:\n{missing}"
    assert (joined["won"] == joined["won_expected"]).all()
    assert np.allclose(joined["won_amount"], joined["won_amount_expected"])
    assert set(expected["lead_quality"]) >= {"quality", "general", "not_lead_sourced"}


def test_field_sales_keeps_every_rep_with_history(marts):
    field_sales = marts["kpi_field_sales"]
    quarters = field_sales[field_sales["period_grain"] == "fiscal_quarter"]
    assert quarters["owner_name"].notna().all()
    assert (quarters.groupby(["period_start", "owner_user_id"]).size() == 4).all()


# -- kpi_funnel_health ------------------------------------------------------------------


def _weeks_within(health: pd.DataFrame, first, last) -> pd.DataFrame:
    """Weeks overlapping [first, last] (dates)."""
    starts = pd.to_datetime(health["week_start"])
    return health[(starts <= pd.Timestamp(last)) & (starts + timedelta(days=6) >= pd.Timestamp(first))]


def test_volume_push_raises_volume_up_quality_down(marts):
    from orchestration.demo_data import VOLUME_PUSH

    push = _weeks_within(marts["kpi_funnel_health"], *VOLUME_PUSH)
    assert len(push) == 6, "VOLUME_PUSH covers six ISO weeks"
    flagged = push[
        [
            "week_start",
            "leads",
            "quality_lead_rate_recent",
            "quality_lead_rate_baseline",
            "lead_volume_change",
            "is_volume_up_quality_down",
        ]
    ]
    assert push["is_volume_up_quality_down"].all(), f"push weeks without the flag:\n{flagged}"
    assert (push["quality_lead_rate_recent"] < push["quality_lead_rate_baseline"]).all()


def test_quiet_period_raises_no_warning(marts):
    from orchestration.demo_data import QUIET_PERIOD

    health = marts["kpi_funnel_health"]
    quiet = _weeks_within(health, *QUIET_PERIOD)
    assert len(quiet) >= 12
    assert quiet["has_full_windows"].all(), "the quiet period should be judged against a full baseline"
    flags = [
        "is_volume_up_quality_down",
        "is_handoff_jump_conversion_drop",
        "is_handoffs_up_pipeline_down",
        "has_warning",
    ]
    raised = quiet[quiet[flags].any(axis=1)]
    assert raised.empty, f"warnings in the quiet period:\n{raised[['week_start', *flags]]}"


def test_health_weeks_are_contiguous(marts):
    weeks = pd.to_datetime(marts["kpi_funnel_health"]["week_start"]).sort_values()
    assert (weeks.diff().dropna() == pd.Timedelta(days=7)).all()
    assert (weeks.dt.day_of_week == 0).all()
