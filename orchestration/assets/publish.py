"""The published copy as an asset: what BI tools and the report read.

Downstream of every marts and KPI mart asset, so Dagster's blocking checks on them
(dbt tests and GX suites) stop it within a run; the audit (checks/audit.py) stops it
in any other run. Only then is the working warehouse copied into `published/`
(orchestration/publish: a new version, made live by one atomic rename).

It also depends on the raw extracts: the dbt step runs dbt's source tests, which exempts
it from waiting for other checks on the raw assets, so the raw GX suites gate the
publish step directly (they still run before it and stop it when they fail).
"""

import hashlib
from collections.abc import Sequence
from pathlib import Path

from dagster import (
    AssetChecksDefinition,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)

from orchestration import config, contract
from orchestration.assets.raw import raw_key
from orchestration.checks.audit import audit_checks
from orchestration.checks.quality import published_asset_keys
from orchestration.publish import layout, publish
from orchestration.quality.data_docs import index_path
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
    """The publish asset for this dbt project's marts and KPI marts, audited on every
    blocking dbt test and every blocking check of `quality_checks`."""
    definitions = {"dbt_project": dbt_definition_version(dbt_assets)}
    audited = [
        spec.key
        for spec in [*dbt_assets.check_specs, *(s for checks in quality_checks for s in checks.check_specs)]
        if spec.blocking
    ]

    @asset(
        key=PUBLISHED_KEY,
        deps=sorted([*published_asset_keys(dbt_assets).values(), *map(raw_key, contract.OBJECTS)], key=str),
        group_name=PUBLISHED_GROUP,
        kinds={"duckdb", "parquet"},
        description=(
            "The copy BI reads: `published/fukan.duckdb` (schemas marts, kpi, publish), one Parquet "
            "file per table and `manifest.json`, swapped in atomically only after every blocking "
            "check passed."
        ),
    )
    def published_warehouse(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        audit = audit_checks(context.instance, audited)
        if not audit.ok:
            raise Failure(description=audit.explain(), metadata={"audit": MetadataValue.json(audit.summary())})
        published = config.published_dir(warehouse.warehouse)
        result = publish(
            warehouse.warehouse, published, run_id=context.run.run_id, checks=audit.summary(), definition_versions=definitions
        )
        context.log.info(
            f"Published build {result.build_id} ({len(result.row_counts)} tables) to {published}"
            + (f"; removed {len(result.removed)} leftovers of earlier publishes" if result.removed else "")
        )
        return MaterializeResult(
            metadata={
                "build_id": result.build_id,
                "as_of": str(result.manifest["as_of"]),
                "manifest": MetadataValue.path(str(published / layout.MANIFEST)),
                "database": MetadataValue.path(str(published / layout.DATABASE)),
                "row_counts": MetadataValue.json(result.row_counts),
                "checks": MetadataValue.json(result.manifest["checks"]),
                "data_docs": MetadataValue.path(str(index_path(Path(context.instance.root_directory)))),
            }
        )

    return published_warehouse
