"""Alerts name the failed check too, carry no row content, come once per run, and a
webhook that is down never hides an alert."""

from __future__ import annotations

import json
from pathlib import Path

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, DagsterInstance, Definitions, asset

from orchestration.alerts import ALERTS_FILE, describe_run_failure, record_alert, without_row_content


@asset(
    check_specs=[
        AssetCheckSpec("rates_between_zero_and_one", asset="kpi_rates", blocking=True),
        AssetCheckSpec("rate_at_most_one_warn", asset="kpi_rates"),
    ]
)
def kpi_rates():
    yield AssetCheckResult(passed=False, check_name="rate_at_most_one_warn", severity=AssetCheckSeverity.WARN)
    yield AssetCheckResult(passed=False, check_name="rates_between_zero_and_one", metadata={"rows_out_of_range": 3})


def test_a_failed_blocking_check_is_named_in_the_alert_apart_from_a_warning(tmp_path: Path) -> None:
    job = Definitions(assets=[kpi_rates]).resolve_implicit_global_asset_job_def()
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        alert = describe_run_failure(instance, result.dagster_run)
    assert alert.failed_checks == ["kpi_rates:rates_between_zero_and_one"]
    assert alert.warned_checks == ["kpi_rates:rate_at_most_one_warn"]
    assert "Failed checks: kpi_rates:rates_between_zero_and_one\n" in alert.text()
    assert "Warned checks (not what failed the run): kpi_rates:rate_at_most_one_warn" in alert.text()

    assert record_alert(alert, tmp_path, webhook_url="http://127.0.0.1:9/unreachable")
    assert json.loads((tmp_path / ALERTS_FILE).read_text())["failed_checks"] == alert.failed_checks
    assert not record_alert(alert, tmp_path, webhook_url="http://127.0.0.1:9/unreachable")  # once per run
    assert len((tmp_path / ALERTS_FILE).read_text().splitlines()) == 1


def test_errors_keep_file_line_column_and_reason_but_no_row_content() -> None:
    error = (
        "ingestion failed:\n"
        "  lead/lead_20261002.csv: Invalid Input Error: CSV Error on Line: 4 Original Line: "
        '"00Q1",2024-04-05,山田太郎,090-1234-5678 Expected Number of Columns: 21 Found: 22\n'
        "  task/task_20261002.csv: required column 'owner_id' is missing\n"
        "  opportunity/opportunity_20261002.csv line 7 column amount: could not convert '090-1234-5678' to a number\n"
        "  campaign/campaign_20261002.csv line 2 column name: \"Yamada's\n"
        '  seminar" is too long'
    )
    shown = without_row_content(error)
    for content in ("山田太郎", "090-1234-5678", "00Q1", "Yamada", "seminar"):
        assert content not in shown
    assert "lead/lead_20261002.csv: Invalid Input Error: CSV Error on Line: 4" in shown
    assert "task/task_20261002.csv: required column `owner_id` is missing" in shown
    assert (
        "opportunity/opportunity_20261002.csv line 7 column amount: could not convert [value left out] to a number"
        in shown
    )
    assert "campaign/campaign_20261002.csv line 2 column name:" in shown
    assert without_row_content("x" * 10_000).endswith("...") and len(without_row_content("x" * 10_000)) < 300
