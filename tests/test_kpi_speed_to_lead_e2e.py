"""End to end: speed to lead on the demo warehouse against the independent pandas reading
of the landing files (tests/pandas_reference.py: speed_to_lead, speed_to_lead_periods).

Per lead: the rep, team, business minutes to the first attempt and the first connected
call, and the response bucket; per period, team, rep, bucket and lead quality: every count,
share and median of kpi_inside_sales_speed_to_lead. None of the SQL under test is reused.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from pandas_reference import Reference, speed_to_lead, speed_to_lead_periods

pytestmark = pytest.mark.e2e

KEYS = ["period_grain", "period_start", "team_id", "rep_user_id", "response_bucket", "lead_quality"]
COUNTS = [
    "leads",
    "attempted_leads",
    "leads_attempted_within_sla",
    "connected_leads",
    "leads_with_appointment",
    "leads_with_opportunity",
]
FRACTIONS = [
    "within_sla_share",
    "lead_to_appointment_rate",
    "lead_to_opportunity_rate",
    "median_business_minutes_to_first_attempt",
    "median_business_minutes_to_first_connect",
]


@pytest.fixture(scope="module")
def per_lead(built_warehouse) -> pd.DataFrame:
    return speed_to_lead(Reference(built_warehouse.landing))


def _query(built_warehouse, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        return con.execute(sql).df()


def test_the_demo_holds_what_speed_to_lead_tells_apart(per_lead):
    """Reps who answer within minutes and reps who answer a day later, leads never worked,
    and leads whose wait spans a night, a weekend or a holiday: without them the
    definition would not be tested."""
    worked = per_lead[per_lead["rep_department"] == "inside_sales"]
    by_rep = worked.groupby("rep_user_id")["minutes_to_first_attempt"].median()
    assert by_rep.min() < 30 and by_rep.max() > 240, by_rep
    assert (worked["response_bucket"] == "never").sum() > 50
    assert set(worked["response_bucket"]) == {"within_1_hour", "1_to_4_hours", "same_business_day", "later", "never"}
    wall_clock = (worked["first_attempt_at"] - worked["created_at"]).dt.total_seconds() / 60
    assert (wall_clock > worked["minutes_to_first_attempt"] + 24 * 60).sum() > 50


def test_each_lead_equals_the_reference(built_warehouse, per_lead):
    marts = _query(
        built_warehouse,
        "select lead_id, rep_user_id, rep_department, team_id, response_bucket, is_attempted_within_sla, "
        "business_minutes_to_first_attempt, business_minutes_to_first_connect "
        "from kpi_inputs.int_kpi_inside_sales_speed_to_lead",
    ).set_index("lead_id")
    expected = per_lead.set_index("lead_id")
    assert sorted(marts.index) == sorted(expected.index)
    expected = expected.reindex(marts.index)
    for column in ("rep_user_id", "rep_department", "team_id", "response_bucket"):
        differs = marts[column] != expected[column]
        assert not differs.any(), f"{column}: {differs.sum()} leads differ, e.g.\n{marts[differs].head()}"
    assert (marts["is_attempted_within_sla"] == expected["is_within_sla"]).all()
    for mart_column, reference_column in (
        ("business_minutes_to_first_attempt", "minutes_to_first_attempt"),
        ("business_minutes_to_first_connect", "minutes_to_first_connect"),
    ):
        np.testing.assert_allclose(
            marts[mart_column].to_numpy(dtype=float), expected[reference_column].to_numpy(dtype=float), atol=1e-6
        )


def test_the_mart_equals_the_reference(built_warehouse, per_lead):
    mart = _query(built_warehouse, "select * from kpi.kpi_inside_sales_speed_to_lead")
    mart["period_start"] = pd.to_datetime(mart["period_start"])
    expected = speed_to_lead_periods(per_lead)
    merged = mart.merge(expected, on=KEYS, how="outer", suffixes=("", "_expected"), indicator=True)
    assert (merged["_merge"] != "right_only").all(), merged[merged["_merge"] == "right_only"][KEYS].head()
    # The mart zero-fills every bucket and quality of a team or rep with a lead in the period.
    zero_filled = merged["_merge"] == "left_only"
    assert (merged.loc[zero_filled, COUNTS] == 0).all().all()
    assert merged.loc[zero_filled, FRACTIONS].isna().all().all()
    both = merged[~zero_filled]
    for column in COUNTS:
        differs = both[column] != both[f"{column}_expected"]
        assert not differs.any(), f"{column}: {differs.sum()} rows differ, e.g.\n{both[differs][KEYS].head()}"
    for column in FRACTIONS:
        actual, wanted = both[column].to_numpy(dtype=float), both[f"{column}_expected"].to_numpy(dtype=float)
        np.testing.assert_allclose(actual, wanted, atol=1e-9, err_msg=column)
    assert set(mart["period_grain"]) == {"week", "month", "fiscal_quarter"}
    assert len(both) > 1000
