"""What people look at, as assets downstream of the publish step: the KPI overview report
and the dbt docs of the KPI definitions, both written into `published/`.

Downstream of the published copy (not of the KPI marts), they run only after a refresh
passed its checks and published, so the page always shows what BI tools read; a failed
refresh publishes nothing and leaves the last report in place. The report reads the
published copy only; the dbt docs read the working warehouse's catalog with the build's
own profile, so they take the warehouse pool. The publish asset's key is passed in
rather than imported, so this module does not depend on how the publish step is
assembled.
"""
from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from orchestration import config
from orchestration.build_state import definitions_fingerprint
from orchestration.report.build import write_reports
from orchestration.report.data import read_published
from orchestration.report.dbt_docs import generate_dbt_docs
from orchestration.resources import WarehouseResource

REPORT_GROUP = "report"


def build_report_assets(published: AssetKey) -> list[AssetsDefinition]:
    """The report assets, downstream of the asset that makes a new published version live."""

    @asset(
        deps=[published],
        group_name=REPORT_GROUP,
        kinds={"html", "plotly"},
        description=(
            "The KPI overview report (published/report.html in Japanese, report.en.html in English): "
            "the whole funnel as a KPI tree split by lead quality, trends by month, target pacing, "
            "inside-sales benchmarks and funnel-health flags, as one self-contained page per language."
        ),
    )
    def kpi_overview_report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        published_dir = config.published_dir(warehouse.warehouse)
        data = read_published(published_dir)
        written = write_reports(data, published_dir)
        manifest = data.manifest
        context.log.info("Wrote %s", ", ".join(str(path) for path in written))
        return MaterializeResult(metadata={
            "report_ja": MetadataValue.path(str(written[0])),
            "report_en": MetadataValue.path(str(written[1])),
            "build_id": manifest["build_id"],
            "as_of": manifest["as_of"],
        })

    @asset(
        deps=[published],
        group_name=REPORT_GROUP,
        kinds={"dbt", "html"},
        description=(
            "dbt docs of the warehouse just published (published/dbt_docs/index.html, a single file that "
            "opens offline, plus manifest.json and catalog.json): every KPI definition, column and lineage."
        ),
    )
    def kpi_definitions_docs(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
        docs, generated = generate_dbt_docs(
            config.published_dir(warehouse.warehouse), warehouse.warehouse, definitions_fingerprint()
        )
        context.log.info("%s dbt docs in %s", "Wrote" if generated else "Definitions unchanged: kept the", docs)
        return MaterializeResult(metadata={
            "index": MetadataValue.path(str(docs / "index.html")), "regenerated": generated,
        })

    return [kpi_overview_report, kpi_definitions_docs]
