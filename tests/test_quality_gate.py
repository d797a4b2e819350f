"""The quality gate end to end: a clean refresh publishes; a bad one fails before the publish
step and leaves every byte of `published/` as it was, while a BI reader in another process
reads through the swap without an error.

The mutation cases alter a copy of the session's built warehouse and run, through
Dagster, only the checks that guard it and the publish step (a full refresh would
rebuild the tables the mutation altered); the missing-column case runs the full refresh.
"""

from __future__ import annotations

import csv
import shutil
import uuid
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import AssetCheckKey, AssetKey, Definitions
from publish_fixtures import (
    Sandbox,
    check_and_publish,
    failed_checks,
    published_in,
    reader_process,
    tree_digest,
)

from orchestration.checks.quality import SUITE_CHECK, VOLUME_CHECK, validate_raw_extracts_ahead
from orchestration.config import DBT_PROJECT_DIR
from orchestration.publish import publish, read_manifest

OVERVIEW = AssetKey(["kpi", "kpi_funnel_overview"])
ONE_COHORT_MONTH = (
    "basis = 'cohort' and period_grain = 'month' and lead_quality = 'all' "
    "and period_start = (select min(period_start) from kpi.kpi_funnel_overview)"
)


@pytest.fixture(scope="module")
def defs() -> Definitions:
    from orchestration.definitions import defs as load_definitions

    return load_definitions()


@pytest.fixture(scope="module")
def gx_mart_checks(defs: Definitions) -> list[AssetCheckKey]:
    graph = defs.resolve_asset_graph()
    return [
        key
        for key in graph.asset_check_keys
        if key.name in (SUITE_CHECK, VOLUME_CHECK) and key.asset_key.path[0] != "raw"
    ]


@pytest.fixture(scope="module")
def clean_publish(built_warehouse, defs, gx_mart_checks, tmp_path_factory) -> dict:
    """A copy of the built warehouse and its instance, published by the check and publish
    steps while a reader loops over the published copy in another process."""
    assert built_warehouse.exit_code == 0
    root = tmp_path_factory.mktemp("gate")
    sandbox = Sandbox(built_warehouse.warehouse, built_warehouse.dagster_home).copy(root / "clean")
    if read_manifest(sandbox.published) is None:  # the refresh job does not publish yet
        publish(sandbox.warehouse, sandbox.published, run_id="firstpub", checks={})
    before = read_manifest(sandbox.published)
    with reader_process(sandbox.published, root) as reader:
        result = check_and_publish(defs, sandbox, gx_mart_checks)
    return {"sandbox": sandbox, "root": root, "result": result, "before": before, "reader": reader}


def test_clean_run_publishes_a_new_version_matching_the_warehouse(clean_publish) -> None:
    result, sandbox = clean_publish["result"], clean_publish["sandbox"]
    assert result.success, failed_checks(result)
    assert published_in(result)
    manifest = read_manifest(sandbox.published)
    assert manifest["previous_build_id"] == clean_publish["before"]["build_id"] != manifest["build_id"]
    assert manifest["checks"]["failed"] == [] and manifest["checks"]["passed"] > 0
    with duckdb.connect(str(sandbox.warehouse), read_only=True) as con:
        for name, table in manifest["tables"].items():
            assert con.execute(f"select count(*) from {name}").fetchone()[0] == table["rows"], name
    assert manifest["as_of"] and manifest["definition_versions"]["quality_lead_definition"]
    dbt_vars = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    assert manifest["definition_versions"]["kpi_definitions"] == str(dbt_vars["kpi_definition_version"])


def test_reader_in_another_process_reads_through_the_swap_without_errors(clean_publish) -> None:
    reader = clean_publish["reader"]
    assert reader.errors == []
    assert reader.builds == [
        clean_publish["before"]["build_id"],
        read_manifest(clean_publish["sandbox"].published)["build_id"],
    ]
    assert reader.iterations > 10


def _mutated(clean_publish, name: str, sql: str) -> tuple[Sandbox, dict[str, str]]:
    """A fresh copy of the clean sandbox at root/name with `sql` applied to its warehouse.

    The dbt cases reuse one path: dbt's partial parse state depends on the warehouse path.
    """
    shutil.rmtree(clean_publish["root"] / name, ignore_errors=True)
    sandbox = clean_publish["sandbox"].copy(clean_publish["root"] / name)
    with duckdb.connect(str(sandbox.warehouse)) as con:
        con.execute(sql)
    return sandbox, tree_digest(sandbox.published)


def _dbt_checks_of(defs: Definitions, asset: AssetKey, gx: list[AssetCheckKey]) -> list[AssetCheckKey]:
    return [k for k in defs.resolve_asset_graph().asset_check_keys if k.asset_key == asset and k not in gx]


ONE_ACTIVITY_MONTH = (
    "basis = 'activity' and period_grain = 'month' and lead_quality = 'quality' and period_start = "
    "(select min(period_start) from kpi.kpi_funnel_overview where basis = 'activity' and won > 0)"
)


@pytest.mark.parametrize(
    ("mutation", "failing_check"),
    [
        (
            f"set won_amount = won_amount + 1000 where {ONE_ACTIVITY_MONTH}",
            "reconciles_with_kpi_funnel_overview_funnel_step_won",
        ),
        (f"set lead_to_worked_rate = 1.5 where {ONE_COHORT_MONTH}", "kpi_funnel_overview_row_rules"),
        # in [0, 1], but not worked / leads
        (f"set lead_to_worked_rate = 0.5 where {ONE_COHORT_MONTH}", "kpi_funnel_overview_row_rules"),
    ],
    ids=["not_reconciled", "rate_above_one", "rate_not_its_ratio"],
)
def test_dbt_tests_block_the_publish(clean_publish, defs, gx_mart_checks, mutation, failing_check) -> None:
    """A KPI mart that no longer reconciles with the facts, or whose rate is not its
    numerator over its denominator, fails a dbt test (no GX expectation sees it): its
    failing check stops the publish."""
    sandbox, before = _mutated(clean_publish, "dbt_case", f"update kpi.kpi_funnel_overview {mutation}")
    result = check_and_publish(defs, sandbox, [*_dbt_checks_of(defs, OVERVIEW, gx_mart_checks), *gx_mart_checks])
    assert not result.success and not published_in(result)
    assert any(name.startswith(f"kpi/kpi_funnel_overview:{failing_check}") for name in failed_checks(result)), (
        failed_checks(result)
    )
    assert tree_digest(sandbox.published) == before


@pytest.mark.parametrize(
    ("mutation", "refused"),
    [
        ("leads = null", "NOT NULL constraint failed: kpi_funnel_overview.leads"),
        ("lead_quality = 'unknown'", "lead_quality IN ('quality', 'general', 'all')"),
    ],
    ids=["null_count", "unknown_quality"],
)
def test_the_kpi_marts_refuse_a_row_that_breaks_a_column_rule(built_warehouse, tmp_path, mutation, refused) -> None:
    """Row rules of the contracted KPI marts are constraints the warehouse enforces: a
    model whose SQL produced such a row fails its build (nothing downstream runs, nothing
    is published), and no later write can slip one in."""
    warehouse = tmp_path / "fukan.duckdb"
    shutil.copyfile(built_warehouse.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con, pytest.raises(duckdb.ConstraintException) as refusal:
        con.execute(f"update kpi.kpi_funnel_overview set {mutation} where {ONE_COHORT_MONTH}")
    assert refused.lower() in str(refusal.value).lower()


def test_lead_volume_collapse_against_the_last_publish_blocks_the_publish(clean_publish, defs, gx_mart_checks) -> None:
    sandbox, before = _mutated(
        clean_publish,
        "volume_collapse",
        "delete from marts.fct_leads where hash(lead_id) % 10 <> 0; "
        "delete from kpi.kpi_funnel_overview where period_grain = 'month' and hash(period_start) % 10 <> 0",
    )
    result = check_and_publish(defs, sandbox, gx_mart_checks)
    assert not result.success and not published_in(result)
    assert {f"marts/fct_leads:{VOLUME_CHECK}", f"kpi/kpi_funnel_overview:{VOLUME_CHECK}"} <= failed_checks(result)
    assert tree_digest(sandbox.published) == before


def test_raw_table_missing_a_required_column_blocks_the_publish_and_a_later_publish_alone(clean_publish, defs) -> None:
    """In the run its blocking check stops the publish step; in a later run that selects
    the publish step alone (a click on Materialize), the audit refuses."""
    sandbox, before = _mutated(clean_publish, "raw_column", "alter table raw.lead drop column status")
    result = check_and_publish(defs, sandbox, _raw_checks(defs))
    assert failed_checks(result) == {f"raw/lead:{SUITE_CHECK}"}  # every other extract passes on the demo data
    assert not result.success and not published_in(result)

    alone = check_and_publish(defs, sandbox, [])
    failure = next(e for e in alone.get_step_failure_events() if e.step_key == "published_warehouse")
    assert f"raw/lead:{SUITE_CHECK}" in failure.event_specific_data.error.message
    assert not published_in(alone)
    assert tree_digest(sandbox.published) == before


def _raw_checks(defs: Definitions) -> list[AssetCheckKey]:
    return [
        k for k in defs.resolve_asset_graph().asset_check_keys if k.name == SUITE_CHECK and k.asset_key.path[0] == "raw"
    ]


def test_raw_extracts_validated_ahead_block_the_publish_as_the_step_would(clean_publish, defs) -> None:
    """A refresh validates the raw extracts while dbt builds; the check step reports those
    outcomes (failures included) for its own run, and validates itself for any other run."""
    sandbox, before = _mutated(clean_publish, "raw_ahead", "alter table raw.lead drop column status")
    run_id = str(uuid.uuid4())
    validate_raw_extracts_ahead(sandbox.warehouse, sandbox.home, run_id)
    with duckdb.connect(str(sandbox.warehouse)) as con:  # after the frames were read: the step must not see it
        con.execute("alter table raw.task drop column who_id")
    result = check_and_publish(defs, sandbox, _raw_checks(defs), run_id=run_id)
    evaluations = result.get_asset_check_evaluations()
    assert {e.metadata["validated_ahead"].value for e in evaluations} == {True}
    assert failed_checks(result) == {f"raw/lead:{SUITE_CHECK}"}
    assert not result.success and not published_in(result)
    assert tree_digest(sandbox.published) == before

    other_run = str(uuid.uuid4())
    validate_raw_extracts_ahead(sandbox.warehouse, sandbox.home, other_run)
    itself = check_and_publish(defs, sandbox, _raw_checks(defs))
    assert {e.metadata["validated_ahead"].value for e in itself.get_asset_check_evaluations()} == {False}
    assert failed_checks(itself) == {f"raw/lead:{SUITE_CHECK}", f"raw/task:{SUITE_CHECK}"}


def test_full_refresh_with_an_extract_missing_a_required_column_fails_before_publishing(
    clean_publish, built_warehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.pipeline import run_pipeline

    sandbox = clean_publish["sandbox"].copy(tmp_path / "full")
    landing = tmp_path / "landing"
    shutil.copytree(built_warehouse.landing, landing)
    source = sorted((landing / "lead").iterdir())[0]
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [{k: v for k, v in row.items() if k != "status"} for row in csv.DictReader(handle)]
    with (landing / "lead" / "lead_new_without_status.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    before = tree_digest(sandbox.published)
    monkeypatch.setenv("DAGSTER_HOME", str(sandbox.home))
    assert run_pipeline(landing, sandbox.warehouse, progress=False) != 0
    assert tree_digest(sandbox.published) == before
