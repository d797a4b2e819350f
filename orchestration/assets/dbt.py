"""The dbt project as assets: one asset per model and seed, one check per dbt test.

Groups follow the layers of the project (staging, intermediate, marts, kpi, seeds), read
from each model's folder, so new models land in the right group without code changes;
the same rule attaches the KPI freshness policy to every `kpi` model as it arrives.
"""
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetSpec, FreshnessPolicy, apply_freshness_policy
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.dbt_project import DBT_PROJECT, ensure_manifest
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource

LAYERS = ("staging", "intermediate", "marts")
KPI_GROUP = "kpi"

# BI reads the KPI marts every morning: the 06:00 refresh plus two hours of slack. The
# window (not a cron deadline) keeps the policy right when the schedule's cron changes.
KPI_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(hours=26), warn_window=timedelta(hours=25))


def layer_of(dbt_resource_props: Mapping[str, Any]) -> str | None:
    """staging / intermediate / marts / kpi from the model's folder; seeds and snapshots by type."""
    resource_type = dbt_resource_props["resource_type"]
    if resource_type in ("seed", "snapshot"):
        return f"{resource_type}s"
    folders = dbt_resource_props["fqn"][1:-1]
    if KPI_GROUP in folders:
        return KPI_GROUP
    return next((layer for layer in LAYERS if layer in folders), None)


class FukanDbtTranslator(DagsterDbtTranslator):
    """Layer groups, raw tables as the sources' assets, freshness on the KPI marts."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        # A source is the table the ingestion writes, `[<schema>, <table>]`: the raw assets.
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer_of(dbt_resource_props) or super().get_group_name(dbt_resource_props)

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name == KPI_GROUP:
            spec = apply_freshness_policy(spec, KPI_FRESHNESS, overwrite_existing=False)
        return spec


TRANSLATOR = FukanDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))


@dbt_assets(
    manifest=ensure_manifest(),
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    pool=WAREHOUSE_POOL,
    name="fukan_dbt_models",
)
def fukan_dbt_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[object]:
    """`dbt build` (seeds, models, tests) in a subprocess, against this run's warehouse."""
    with warehouse.dbt_environment():
        invocation = dbt.cli(["build"], context=context)
    yield from invocation.stream()
