"""The published copy as an asset: what BI tools and the report read.

Downstream of every marts and KPI mart asset, so Dagster's blocking checks on them
(dbt tests and GX suites) stop it within a run; the audit (checks/audit.py) stops it
in any other run. Only then is the working warehouse copied into `published/`
(orchestration/publish: a new version, made live by one atomic rename), with the report
and dbt docs drawn from it (orchestration/assets/report.py): one step makes all three
live at once.

It also depends on the raw extracts: the dbt step runs dbt's source tests, which exempts
it from waiting for other checks on the raw assets, so the raw GX suites gate the
publish step directly (they still run before it and stop it when they fail).
"""

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from dagster import (
    AssetChecksDefinition,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration import config, contract
from orchestration.assets.raw import raw_key
from orchestration.assets.report import report_results, report_specs
from orchestration.checks.audit import audit_checks
from orchestration.checks.quality import published_asset_keys
from orchestration.dbt_project import kpi_definition_version
from orchestration.publish import layout
from orchestration.quality.data_docs import index_path
from orchestration.report.pages import publish_with_pages
from orchestration.resources import WarehouseResource

PUBLISHED_KEY = AssetKey("published_warehouse")
PUBLISHED_GROUP = "published"


def dbt_definition_version(dbt_assets: AssetsDefinition) -> str:
    """One hash over the code version of every dbt model and seed (SQL, mappings, rules,
    targets): it changes whenever a definition that can move a number changes."""
    versions = sorted(f"{spec.key.to_user_string()}={spec.code_version}" for spec in dbt_assets.specs)
    return hashlib.sha256("\n".join(versions).encode()).hexdigest()[:12]


def build_published_warehouse(
    dbt_assets: AssetsDefinition, quality_checks: Sequence[AssetChecksDefinition]
) -> AssetsDefinition:
    """The publish step for this dbt project's marts and KPI marts, audited on every
    blocking dbt test and every blocking check of `quality_checks`: the published copy
    and the pages drawn from it."""
    definitions = {"dbt_project": dbt_definition_version(dbt_assets), "kpi_definitions": kpi_definition_version()}
    audited = [
        spec.key
        for spec in [*dbt_assets.check_specs, *(s for checks in quality_checks for s in checks.check_specs)]
        if spec.blocking
    ]

    published_spec = AssetSpec(
        PUBLISHED_KEY,
        deps=sorted([*published_asset_keys(dbt_assets).values(), *map(raw_key, contract.OBJECTS)], key=str),
        group_name=PUBLISHED_GROUP,
        kinds={"duckdb", "parquet"},
        description=(
            "The copy BI reads: `published/fukan.duckdb` (schemas marts, kpi, publish), one Parquet "
            "file per table and `manifest.json`, swapped in atomically with the report and docs "
            "drawn from it, only after every blocking check passed."
        ),
    )

    @multi_asset(name=PUBLISHED_KEY.path[-1], specs=[published_spec, *report_specs(PUBLISHED_KEY)])
    def published_warehouse(
        context: AssetExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[MaterializeResult]:
        audit = audit_checks(context.instance, audited, context.run.run_id)
        if not audit.ok:
            raise Failure(description=audit.explain(), metadata={"audit": MetadataValue.json(audit.summary())})
        published = config.published_dir(warehouse.warehouse)
        result, docs_generated = publish_with_pages(
            warehouse.warehouse,
            published,
            run_id=context.run.run_id,
            checks=audit.summary(),
            definition_versions=definitions,
        )
        context.log.info(
            f"Published build {result.build_id} ({len(result.row_counts)} tables) to {published}"
            + (f"; removed {len(result.removed)} leftovers of earlier publishes" if result.removed else "")
        )
        yield MaterializeResult(
            asset_key=PUBLISHED_KEY,
            metadata={
                "build_id": result.build_id,
                "as_of": str(result.manifest["as_of"]),
                "manifest": MetadataValue.path(str(published / layout.MANIFEST)),
                "database": MetadataValue.path(str(published / layout.DATABASE)),
                "row_counts": MetadataValue.json(result.row_counts),
                "checks": MetadataValue.json(result.manifest["checks"]),
                "data_docs": MetadataValue.path(str(index_path(Path(context.instance.root_directory)))),
            },
        )
        yield from report_results(published, result.build_id, result.manifest["as_of"], docs_generated)

    return published_warehouse
