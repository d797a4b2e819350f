"""The tests that reconcile a KPI mart with its fact at every period grain
(macro totals_reconcile_at_every_grain) fail on a wrong mart, and say where.

On a copy of the session's built warehouse, one change to a mart (a period's total of one
lead quality or of 'all' raised, or a period's rows of one quality dropped) makes the
test that reconciles that mart fail with exactly one row: that grain, quality and
measure. On the mart as built each of them passes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from run_dbt_cli import run_dbt

pytestmark = pytest.mark.e2e

# test name -> (the change to its mart, the (grain, quality, measure) it must report)
CASES = {
    "overview_activity_reconciles_with_fct_funnel_events": (
        "update kpi.kpi_funnel_overview set won_amount = won_amount + 1000 "
        "where basis = 'activity' and period_grain = 'week' and lead_quality = 'quality' "
        "and period_start = (select min(period_start) from kpi.kpi_funnel_overview where period_grain = 'week')",
        ("week", "quality", "won_amount"),
    ),
    "overview_cohort_reconciles_with_fct_leads": (
        "update kpi.kpi_funnel_overview set leads = leads + 1 "
        "where basis = 'cohort' and period_grain = 'fiscal_half' and lead_quality = 'all' "
        "and period_start = (select max(period_start) from kpi.kpi_funnel_overview where period_grain = 'fiscal_half')",
        ("fiscal_half", "all", "lead"),
    ),
    "field_sales_reconciles_with_fct_opportunities": (
        "delete from kpi.kpi_field_sales "
        "where period_grain = 'month' and lead_quality = 'general' and period_start = ("
        "select min(period_start) from kpi.kpi_field_sales "
        "where period_grain = 'month' and lead_quality = 'general' and opportunities > 0)",
        ("month", "general", "opportunities"),
    ),
}


def _failures(warehouse: Path, target: Path, test: str) -> list[tuple]:
    """Run one dbt test, storing its failing rows; return them (grain, quality, measure)."""
    done = run_dbt(["test", "--select", test, "--store-failures"], warehouse, target, check=False)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schema = con.execute(
            "select table_schema from information_schema.tables where table_name = ?", [test]
        ).fetchall()
        assert schema, f"dbt stored no result table for {test}:\n{done.stdout}"
        rows = con.execute(
            f'select period_grain, lead_quality, measure from "{schema[0][0]}"."{test}" order by all'
        ).fetchall()
    assert (done.returncode != 0) == bool(rows), done.stdout
    return rows


@pytest.mark.parametrize("test", sorted(CASES))
def test_a_reconciliation_fails_on_the_changed_total_alone(built_warehouse, tmp_path: Path, test: str) -> None:
    warehouse = tmp_path / "fukan.duckdb"
    shutil.copyfile(built_warehouse.warehouse, warehouse)
    assert _failures(warehouse, tmp_path / "target", test) == []

    change, where = CASES[test]
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute(change).fetchall()[0][0] > 0, "the change touched no row"
    assert _failures(warehouse, tmp_path / "target", test) == [where]
