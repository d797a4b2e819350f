"""The publish step's audit judges the checks' evaluations, not the plans of a run that
waits for the warehouse (a run plans its checks as it starts, before it waits)."""

from __future__ import annotations

from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    Output,
    asset,
    materialize,
)
from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluationPlanned

from orchestration.checks.audit import audit_checks

KEY = AssetCheckKey(AssetKey("subject"), "rule")


@asset(check_specs=[AssetCheckSpec("rule", asset="subject", blocking=True)])
def subject():
    yield Output(None)
    yield AssetCheckResult(check_name="rule", passed=True)


def _plan_in_another_run(instance: DagsterInstance) -> str:
    waiting = instance.add_run(DagsterRun(job_name="refresh_warehouse", status=DagsterRunStatus.STARTED))
    event = DagsterEvent(
        event_type_value=DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED.value,
        job_name=waiting.job_name,
        event_specific_data=AssetCheckEvaluationPlanned(asset_key=KEY.asset_key, check_name=KEY.name),
    )
    instance.report_dagster_event(event, run_id=waiting.run_id)
    return waiting.run_id


def test_a_check_another_run_only_planned_does_not_hide_this_runs_evaluation() -> None:
    with DagsterInstance.ephemeral() as instance:
        run_id = materialize([subject], instance=instance).run_id
        assert audit_checks(instance, [KEY], run_id).passed == ["subject:rule"]
        waiting = _plan_in_another_run(instance)
        audit = audit_checks(instance, [KEY], run_id)
        assert (audit.passed, audit.not_evaluated, audit.ok) == (["subject:rule"], [], True)
        # In the waiting run's own publish step, its unevaluated plan counts.
        assert audit_checks(instance, [KEY], waiting).not_evaluated == ["subject:rule"]
