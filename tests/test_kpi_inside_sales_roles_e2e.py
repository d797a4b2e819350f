"""End to end: the inside-sales roles on the demo warehouse against the independent pandas
reading of the landing files (tests/pandas_reference.py: inside_sales_roles,
inside_sales_role_periods).

Per record: the role and the rule that decided it, and every attribute the rules read;
per period, team, rep, role and lead quality: every count of kpi_inside_sales_roles.
None of the SQL under test is reused.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from pandas_reference import Reference, inside_sales_role_periods, inside_sales_roles

pytestmark = pytest.mark.e2e

KEYS = ["period_grain", "period_start", "team_id", "rep_user_id", "sales_role", "lead_quality"]
COUNTS = ["calls", "connected_calls", "appointments", "opportunities", "won", "won_amount"]
ATTRIBUTES = [
    "rep_user_id",
    "team_id",
    "lead_quality",
    "account_id",
    "lead_source",
    "opportunity_type",
    "is_existing_customer",
    "is_re_engaged",
    "has_lead",
    "sales_role",
    "role_rule_id",
]


@pytest.fixture(scope="module")
def reference(built_warehouse) -> Reference:
    return Reference(built_warehouse.landing)


@pytest.fixture(scope="module")
def records(reference) -> pd.DataFrame:
    return inside_sales_roles(reference)


def _query(built_warehouse, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        return con.execute(sql).df()


def test_the_demo_holds_every_role_and_rule(records):
    """Calls of all four roles, each decided by each of its rules: without them the rule
    order would not be tested on real data."""
    calls = records[records["calls"] == 1]
    assert set(calls["sales_role"]) == {"nurture", "recycle", "upsell", "outbound"}
    assert (calls.groupby("sales_role").size() >= 20).all(), calls.groupby("sales_role").size()
    assert set(records["role_rule_id"]) >= {"default", "existing_customer", "re_engaged", "no_lead"}
    # Recycling takes up both disqualified leads and lost deals' contacts.
    recycled = calls[calls["sales_role"] == "recycle"]
    assert recycled["account_id"].notna().sum() >= 10 and recycled["account_id"].isna().sum() >= 10


def test_each_record_equals_the_reference(built_warehouse, records):
    mart = _query(built_warehouse, "select * from kpi_inputs.int_kpi_inside_sales_roles")
    mart = mart.set_index(["record_type", "record_id"]).sort_index()
    expected = records.set_index(["record_type", "record_id"]).sort_index()
    assert mart.index.equals(expected.index)
    for column in ATTRIBUTES:
        differs = mart[column].astype("string").fillna("<null>") != expected[column].astype("string").fillna("<null>")
        assert not differs.any(), f"{column}: {differs.sum()} records differ, e.g.\n{mart[differs].head()}"


def test_role_totals_equal_the_reference(built_warehouse, reference, records):
    as_of_day = Reference.reporting_date(pd.Series([reference.as_of])).iloc[0]
    expected = inside_sales_role_periods(records, as_of_day).set_index(KEYS).sort_index()
    mart = _query(built_warehouse, "select * from kpi.kpi_inside_sales_roles")
    mart["period_start"] = pd.to_datetime(mart["period_start"])
    with_counts = mart[(mart[COUNTS] != 0).any(axis=1)].set_index(KEYS).sort_index()
    assert with_counts.index.equals(expected.index)
    for column in COUNTS:
        np.testing.assert_allclose(
            with_counts[column].to_numpy(dtype=float), expected[column].to_numpy(dtype=float), atol=1e-6
        )
    # Every role beside 'all' and the roles summing to it.
    all_roles = mart[mart["sales_role"] == "all"].set_index([k for k in KEYS if k != "sales_role"])[COUNTS]
    summed = mart[mart["sales_role"] != "all"].groupby([k for k in KEYS if k != "sales_role"])[COUNTS].sum()
    pd.testing.assert_frame_equal(summed.sort_index(), all_roles.sort_index(), check_dtype=False)
