"""The Dagster code location: its lineage and groups are right, its runs and schedule are
configured as promised. Nothing here builds a warehouse; loading from a fresh checkout is
proved by the UI test (tests/test_orchestration_ui.py), which starts from an empty dbt target."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dagster import AssetKey, DagsterInstance
from dagster._utils.schedules import schedule_execution_time_iterator

from orchestration import contract
from orchestration.assets.dbt import KPI_FRESHNESS, layer_of
from orchestration.definitions import defs as load_definitions
from orchestration.instance import ensure_dagster_home
from orchestration.jobs import REFRESH_JOB_NAME
from orchestration.schedules import daily_refresh_schedule

LAYER_GROUPS = {"staging", "intermediate", "marts", "kpi_inputs", "kpi", "seeds"}


@pytest.fixture(scope="module")
def defs():
    return load_definitions()


@pytest.fixture(scope="module")
def graph(defs):
    return defs.resolve_asset_graph()


def test_every_contract_object_is_a_raw_asset_upstream_of_its_staging_model(graph) -> None:
    for name in contract.OBJECTS:
        key = AssetKey(["raw", name])
        assert graph.get(key).group_name == "raw"
        children = graph.get(key).child_keys
        assert any(child.path[0] == "staging" for child in children), f"nothing in staging reads {key}"
    # Besides its raw object, a staging model reads only staging (the build state).
    parents = graph.get(AssetKey(["staging", "stg_crm__leads"])).parent_keys
    assert {key for key in parents if key.path[0] == "raw"} == {AssetKey(["raw", "lead"])}
    assert {key.path[0] for key in parents} == {"raw", "staging"}


def test_dbt_assets_are_grouped_by_layer(defs, graph) -> None:
    dbt_keys = defs.resolve_assets_def(AssetKey(["staging", "stg_crm__leads"])).keys
    groups = {graph.get(key).group_name for key in dbt_keys}
    assert groups <= LAYER_GROUPS, groups


@pytest.mark.parametrize(
    ("fqn", "resource_type", "group"),
    [
        (["fukan", "staging", "crm", "stg_crm__leads"], "model", "staging"),
        (["fukan", "intermediate", "funnel", "int_x"], "model", "intermediate"),
        (["fukan", "marts", "core", "fct_leads"], "model", "marts"),
        (["fukan", "kpi_inputs", "int_kpi_reporting_periods"], "model", "kpi_inputs"),
        (["fukan", "kpi", "kpi_funnel_overview"], "model", "kpi"),
        (["fukan", "quality_lead_rules"], "seed", "seeds"),
    ],
)
def test_layer_comes_from_the_model_folder(fqn: list[str], resource_type: str, group: str) -> None:
    assert layer_of({"fqn": fqn, "resource_type": resource_type}) == group


def test_kpi_marts_carry_the_freshness_policy(graph) -> None:
    kpi = [key for key in graph.get_all_asset_keys() if graph.get(key).group_name == "kpi"]
    assert kpi, "no kpi models yet"
    for key in kpi:
        assert graph.get(key).freshness_policy == KPI_FRESHNESS, key
    others = [key for key in graph.get_all_asset_keys() if graph.get(key).group_name != "kpi"]
    assert all(graph.get(key).freshness_policy is None for key in others)


def test_dbt_tests_are_asset_checks_including_source_tests(graph) -> None:
    checks = graph.asset_check_keys
    assert any(check.asset_key == AssetKey(["staging", "stg_crm__leads"]) for check in checks)
    assert any(check.asset_key == AssetKey(["raw", "task"]) and check.name == "crm_task_row_rules" for check in checks)


def test_every_step_of_the_refresh_holds_the_warehouse_and_runs_in_process(defs) -> None:
    """Every step asks for the warehouse resource, whose lock a run holds from its start to
    its end; one process runs every step, so that one lock serialises whole runs."""
    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    assert {
        node.definition.name: "warehouse" in node.definition.required_resource_keys for node in job.graph.nodes
    } == {node.definition.name: True for node in job.graph.nodes}
    assert job.executor_def.name == "in_process"


def test_a_new_instance_has_telemetry_off_and_watches_run_workers(tmp_path: Path) -> None:
    home = ensure_dagster_home(tmp_path / "home")
    with DagsterInstance.from_config(str(home)) as instance:
        assert not instance.telemetry_enabled
        assert instance.freshness_enabled
        assert instance.run_monitoring_enabled


def _next_tick(schedule, after: datetime) -> datetime:
    return next(
        schedule_execution_time_iterator(after.timestamp(), schedule.cron_schedule, schedule.execution_timezone)
    )


def test_schedule_next_tick_is_six_in_the_morning_tokyo_time(defs) -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    tick = _next_tick(defs.resolve_schedule_def("daily_refresh"), datetime(2026, 4, 1, 12, 0, tzinfo=tokyo))
    assert tick.astimezone(tokyo) == datetime(2026, 4, 2, 6, 0, tzinfo=tokyo)


def test_schedule_cron_and_time_zone_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUKAN_SCHEDULE_CRON", "30 7 * * 1-5")
    monkeypatch.setenv("FUKAN_SCHEDULE_TZ", "Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    tick = _next_tick(daily_refresh_schedule(), datetime(2026, 4, 3, 12, 0, tzinfo=berlin))  # a Friday
    assert tick.astimezone(berlin) == datetime(2026, 4, 6, 7, 30, tzinfo=berlin)
