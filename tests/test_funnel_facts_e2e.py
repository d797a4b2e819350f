"""The funnel facts against an independent pandas reading of the landing files.

Per-lead quality and per-month counts of leads, hand-offs, opportunities and wins by
quality must match tests/pandas_reference.py, which implements the KPI definitions from the
raw files without the loader or any SQL.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from pandas_reference import STEPS, Reference


@pytest.fixture(scope="module")
def reference(built_warehouse) -> Reference:
    return Reference(built_warehouse.landing)


@pytest.fixture(scope="module")
def fct_leads(built_warehouse) -> pd.DataFrame:
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        return con.execute("select * from marts.fct_leads").df().set_index("lead_id")


def test_pipeline_succeeded(built_warehouse):
    assert built_warehouse.exit_code == 0


def test_one_row_per_live_lead(reference, fct_leads):
    assert fct_leads.index.is_unique
    assert set(fct_leads.index) == set(reference.leads["id"])


def test_lead_quality_matches_per_lead(reference, fct_leads):
    expected = reference.quality()
    joined = expected.join(
        fct_leads[["lead_quality", "quality_score", "quality_reasons"]], how="outer", lsuffix="_expected"
    )
    assert joined["lead_quality"].notna().all()
    assert (joined["lead_quality_expected"] == joined["lead_quality"]).all()
    assert (joined["quality_score_expected"] == joined["quality_score"]).all()
    assert (joined["quality_reasons_expected"].fillna("") == joined["quality_reasons"].fillna("")).all()
    # the demo must exercise both classes and the as-created rule
    assert set(joined["lead_quality"]) == {"quality", "general"}


@pytest.mark.parametrize("step", STEPS)
def test_reached_flags_and_timestamps_match_per_lead(reference, fct_leads, step):
    expected = reference.funnel()
    actual = fct_leads.reindex(expected.index)
    assert (expected[f"reached_{step}"] == actual[f"reached_{step}"]).all()
    both = expected[f"{step}_at"].notna()
    assert (expected.loc[both, f"{step}_at"] == actual.loc[both, f"{step}_at"]).all()


def test_monthly_counts_by_quality(reference, fct_leads):
    funnel = reference.funnel().join(reference.quality()["lead_quality"])
    funnel["month"] = Reference.reporting_date(reference.leads.set_index("id")["created_date"]).dt.to_period("M")
    columns = ["reached_lead", "reached_handed_off", "reached_opportunity", "reached_won"]
    expected = funnel.groupby(["month", "lead_quality"])[columns].sum()
    expected["won_amount"] = funnel.groupby(["month", "lead_quality"])["won_amount"].sum()

    actual = fct_leads.assign(month=pd.to_datetime(fct_leads["created_date"]).dt.to_period("M"))
    actual = actual.groupby(["month", "lead_quality"])[[*columns, "won_amount"]].sum()
    pd.testing.assert_frame_equal(expected.sort_index(), actual.sort_index(), check_dtype=False)
    assert expected["reached_won"].sum() > 0, "demo data should contain won deals"


def test_quality_leads_convert_better(fct_leads):
    rates = fct_leads.groupby("lead_quality")["reached_opportunity"].mean()
    assert rates["quality"] > rates["general"]
