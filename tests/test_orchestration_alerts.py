"""Alerts name the failed check too, and a webhook that is down never hides an alert."""
from __future__ import annotations

import json
from pathlib import Path

from dagster import AssetCheckResult, AssetCheckSpec, DagsterInstance, Definitions, asset

from orchestration.alerts import ALERTS_FILE, describe_run_failure, record_alert


@asset(check_specs=[AssetCheckSpec("rates_between_zero_and_one", asset="kpi_rates", blocking=True)])
def kpi_rates():
    yield AssetCheckResult(passed=False, check_name="rates_between_zero_and_one", metadata={"rows_out_of_range": 3})


def test_a_failed_blocking_check_is_named_in_the_alert(tmp_path: Path) -> None:
    job = Definitions(assets=[kpi_rates]).resolve_implicit_global_asset_job_def()
    with DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        alert = describe_run_failure(instance, result.dagster_run, result.get_step_failure_events())
    assert alert.failed_checks == ["kpi_rates:rates_between_zero_and_one"]
    assert "Failed checks: kpi_rates:rates_between_zero_and_one" in alert.text()

    path = record_alert(alert, tmp_path, webhook_url="http://127.0.0.1:9/unreachable")
    assert path == tmp_path / ALERTS_FILE
    assert json.loads(path.read_text())["failed_checks"] == alert.failed_checks
