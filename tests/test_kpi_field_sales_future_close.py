"""A deal closed won with a close date after the as-of date (the ingest accepts close
dates up to 730 days after the load) is in no period of kpi_field_sales yet; the mart's
reconciliations with fct_opportunities keep to the same reporting range, so such a deal
no longer fails them and blocks the refresh."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from run_dbt_cli import run_dbt

pytestmark = pytest.mark.e2e

FUTURE_DEAL = "006E2FUTURECLOSE"


def test_a_deal_won_after_the_as_of_date_reconciles_and_counts_in_no_period(built_warehouse, tmp_path: Path) -> None:
    warehouse = tmp_path / "fukan.duckdb"
    shutil.copyfile(built_warehouse.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        as_of_date = con.execute("select max(as_of_date) from kpi_inputs.int_kpi_reporting_periods").fetchone()[0]
        con.execute(f"""
            insert into raw.opportunity
            select * replace ('{FUTURE_DEAL}' as id, date '{as_of_date}' + interval 30 day as close_date)
            from raw.opportunity
            where is_won and close_date is not null
            limit 1
        """)
    target = tmp_path / "target"
    # Cautious: only the tests whose every parent is rebuilt here (a test that also reads
    # a mart outside the selection, e.g. the pacing reconciliation, would compare the
    # rebuilt facts with that mart's old rows).
    done = run_dbt(
        [
            "build",
            "--full-refresh",
            "--select",
            "+kpi_field_sales",
            "--indirect-selection",
            "cautious",
            "--exclude-resource-type",
            "unit_test",
        ],
        warehouse,
        target,
        check=False,
    )
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    reconciliations = {
        r["unique_id"]: r["status"]
        for r in results
        if r["unique_id"].startswith("test.fukan.reconciles_with_kpi_field_sales")
    }
    assert reconciliations and set(reconciliations.values()) == {"pass"}, reconciliations
    assert done.returncode == 0, done.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        closed_date = con.execute(
            f"select closed_date from marts.fct_opportunities where opportunity_id = '{FUTURE_DEAL}'"
        ).fetchone()
        last_period = con.execute(
            "select max(period_start) from kpi.kpi_field_sales where period_grain = 'month'"
        ).fetchone()
    assert closed_date is not None and closed_date[0] > as_of_date  # the case is in the facts
    assert last_period[0] <= as_of_date  # and in no period of the mart
