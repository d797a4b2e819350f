"""Raw ingestion as assets: one per contract object, plus the load ledger and quarantine.

The tables are the upstream of the dbt sources `crm.<object>` and `ingest.<table>`
(orchestration/assets/dbt.py maps a source to `[<schema>, <table>]`), so the lineage
runs from the landing files to the KPI marts without a gap.
"""

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from orchestration import config, contract
from orchestration.ingest import FileResult, IngestError, ingest_landing
from orchestration.resources import WarehouseResource

RAW_GROUP = "raw"
LEDGER_KEY = AssetKey([config.INGEST_SCHEMA, "load_ledger"])
QUARANTINE_KEY = AssetKey([config.INGEST_SCHEMA, "quarantine"])


def raw_key(object_name: str) -> AssetKey:
    return AssetKey([config.RAW_SCHEMA, object_name])


def _object_spec(obj: contract.CrmObject) -> AssetSpec:
    required = ", ".join(obj.required_columns)
    return AssetSpec(
        raw_key(obj.name),
        description=(
            f"Every loaded version of every `{obj.name}` record from the landing files "
            f"(`{config.RAW_SCHEMA}.{obj.name}`), with source file, row and load time. "
            f"Required columns: {required}."
        ),
        group_name=RAW_GROUP,
        kinds={"duckdb", "python"},
        skippable=True,
    )


RAW_SPECS = [
    *(_object_spec(obj) for obj in contract.OBJECTS.values()),
    AssetSpec(
        LEDGER_KEY,
        description=(
            "One row per landing file load attempt: checksum, rows read, loaded and quarantined, status, error."
        ),
        group_name=RAW_GROUP,
        kinds={"duckdb", "python"},
    ),
    AssetSpec(
        QUARANTINE_KEY,
        description="One row per rejected source row, with file, row number, column and reason.",
        group_name=RAW_GROUP,
        kinds={"duckdb", "python"},
    ),
]


def _row_counts(warehouse: Path) -> dict[str, int]:
    """Rows per raw table after the load; the connection is closed before dbt runs."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            name: con.execute(f'select count(*) from {config.RAW_SCHEMA}."{name}"').fetchone()[0]
            for name in contract.OBJECTS
        }


def _figures(files: list[FileResult]) -> dict[str, object]:
    """The ledger's figures for the files of one load, as asset metadata."""
    new = [f for f in files if not f.skipped]
    extra = sorted({column for f in new for column in f.extra_columns})
    return {
        "new_files": len(new),
        "already_loaded_files": len(files) - len(new),
        "rows_read": sum(f.rows_read for f in new),
        "rows_loaded": sum(f.rows_loaded for f in new),
        "rows_quarantined": sum(f.rows_quarantined for f in new),
        "duplicate_ids": sum(f.duplicate_ids for f in new),
        "extra_columns": MetadataValue.json(extra),
        "loaded_files": MetadataValue.json([f.source_file for f in new]),
    }


@multi_asset(
    name="raw_crm_extracts",
    specs=RAW_SPECS,
    can_subset=False,
    description="Load new landing files into the raw schema (each file once, by checksum).",
)
def raw_crm_extracts(context: AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[MaterializeResult]:
    """Ingest every new landing file, then report per object what this load added.

    Objects whose files all loaded are materialised even when another file failed, so the
    ledger shows what happened; the step then fails with the ingestion's own message
    (file and column), which stops dbt and everything downstream for this run.
    """
    landing, path = warehouse.landing, warehouse.warehouse
    context.log.info(f"Ingesting {landing} into {path}")
    result = ingest_landing(landing, path, progress=False)
    context.log.info(str(result))

    by_object: dict[str, list[FileResult]] = defaultdict(list)
    for file in result.files:
        by_object[file.object].append(file)
    counts = _row_counts(path)
    failed_objects = {f.object for f in result.failed} | set(result.missing_required)

    for name in contract.OBJECTS:
        if name in failed_objects:
            continue
        yield MaterializeResult(
            asset_key=raw_key(name),
            metadata={**_figures(by_object[name]), "dagster/row_count": counts[name]},
        )
    figures = _figures(result.files)
    yield MaterializeResult(
        asset_key=LEDGER_KEY,
        metadata={
            "new_files": figures["new_files"],
            "failed_files": len(result.failed),
            "empty_files": len(result.empty),
            "rows_loaded": figures["rows_loaded"],
            # Landing entries not read (unknown formats or objects, sub-folders, links out of
            # the landing folder), with why: for the run's summary as well as this page.
            "not_read": MetadataValue.json([{"path": i.path, "reason": i.reason} for i in result.ignored]),
        },
    )
    yield MaterializeResult(
        asset_key=QUARANTINE_KEY,
        metadata={
            "rows_quarantined": figures["rows_quarantined"],
        },
    )

    try:
        result.raise_for_failures()
    except IngestError as error:
        raise Failure(
            description=str(error),
            metadata={"failed_files": MetadataValue.json([f.source_file for f in result.failed])},
        ) from error
