"""The dbt project as assets: one asset per model and seed, one check per dbt test.

Groups follow the layers of the project (staging, intermediate, marts, kpi_inputs, kpi, seeds), read
from each model's folder, so new models land in the right group without code changes;
the same rule attaches the KPI freshness policy to every `kpi` model as it arrives.
"""

import json
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    FreshnessPolicy,
    apply_freshness_policy,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.build_state import definitions_fingerprint, loaded_file_seq, needs_full_refresh, record_build
from orchestration.checks.quality import validate_raw_extracts_for_this_run
from orchestration.dbt_project import (
    DBT_PROJECT,
    build_target_path,
    changed_since,
    ensure_manifest,
    warehouse_environment,
)
from orchestration.resources import WarehouseResource

# The folders under models/, in the order data flows through them.
LAYERS = ("staging", "intermediate", "marts", "kpi_inputs", "kpi")
KPI_GROUP = "kpi"

# BI reads the KPI marts every morning: the 06:00 refresh plus two hours of slack. The
# window (not a cron deadline) keeps the policy right when the schedule's cron changes.
KPI_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(hours=26), warn_window=timedelta(hours=25))


def layer_of(dbt_resource_props: Mapping[str, Any]) -> str | None:
    """The layer a model's folder under models/ names (one of LAYERS); seeds and
    snapshots by their type."""
    resource_type = dbt_resource_props["resource_type"]
    if resource_type in ("seed", "snapshot"):
        return f"{resource_type}s"
    folders = dbt_resource_props["fqn"][1:-1]
    layer = folders[0] if folders else None
    return layer if layer in LAYERS else None


class FukanDbtTranslator(DagsterDbtTranslator):
    """Layer groups, raw tables as the sources' assets, freshness on the KPI marts."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        # A source is the table the ingestion writes, `[<schema>, <table>]`: the raw assets.
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer_of(dbt_resource_props) or super().get_group_name(dbt_resource_props)

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if spec.group_name == KPI_GROUP:
            spec = apply_freshness_policy(spec, KPI_FRESHNESS, overwrite_existing=False)
        return spec


def refresh_arguments(full_refresh: bool) -> list[str]:
    """The refresh's dbt command. Unit tests check the SQL against fixed inputs, not the
    data: they run in CI and `make test` (dbt's advice), not on every refresh."""
    return ["build", "--exclude-resource-type", "unit_test", *(["--full-refresh"] if full_refresh else [])]


def _node_ids(manifest: Path) -> set[str]:
    """Models, seeds, snapshots, tests and sources: what dagster-dbt must find in its manifest."""
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return set(data["nodes"]) | set(data["sources"])


# The op (and step) that runs `dbt build` for every dbt asset.
DBT_STEP = "fukan_dbt_models"


def build_dbt_assets(manifest: Path) -> AssetsDefinition:
    """The dbt assets of one manifest; the code location passes a fresh one when it loads."""
    loaded_at, known = manifest.stat().st_mtime, _node_ids(manifest)

    @dbt_assets(
        manifest=manifest,
        project=DBT_PROJECT,
        # A translator per manifest: it memoises specs per manifest, so a shared one would
        # keep every manifest of a long-lived process alive.
        dagster_dbt_translator=FukanDbtTranslator(
            settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
        ),
        name=DBT_STEP,
    )
    def fukan_dbt_models(
        context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
    ) -> Iterator[object]:
        """`dbt build` (seeds, models, data tests) in a subprocess, against this run's warehouse:
        incremental when the definitions are those of the last build, else a full refresh."""
        if changed_since(loaded_at):
            # Edited SQL is fine (dbt compiles what is on disk); a model or test this code
            # location does not know would make dagster-dbt fail half-way through the build.
            unknown = sorted(_node_ids(ensure_manifest()) - known)
            if unknown:
                raise Failure(
                    description=(
                        f"The dbt project gained {len(unknown)} models or tests after this code location "
                        f"loaded ({', '.join(unknown[:5])}{', ...' if len(unknown) > 5 else ''}). "
                        "Start the run again (in the UI, reload the code location first)."
                    )
                )
        fingerprint = definitions_fingerprint()
        full_refresh = needs_full_refresh(warehouse.warehouse, fingerprint)
        loaded_through = loaded_file_seq(warehouse.warehouse)  # before dbt starts: what this build sees
        context.log.info(
            "dbt build: %s",
            "full refresh (definitions changed since the last build)"
            if full_refresh
            else "incremental (same definitions as the last build)",
        )
        validate_raw_extracts_for_this_run(context, warehouse.warehouse)  # in a thread while dbt builds
        with warehouse_environment(warehouse.warehouse):
            invocation = dbt.cli(refresh_arguments(full_refresh), context=context, target_path=build_target_path())
        yield from invocation.stream()
        # A subset built only some models: the others still hold the older definitions.
        if not context.is_subset:
            record_build(warehouse.warehouse, fingerprint, full_refresh, loaded_through)

    return fukan_dbt_models
