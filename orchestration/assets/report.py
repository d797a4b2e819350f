"""What people look at: the KPI overview report and the dbt docs of the KPI definitions,
as assets of the publish step (orchestration/assets/publish.py).

They are written into the new published version before it goes live
(orchestration/report/pages.py), so the step that makes the data live materialises them
too: the page always shows what BI tools read, and a failed refresh publishes nothing and
leaves the last report beside the last data. Each depends on the published copy, which
is what it is drawn from.
"""

from __future__ import annotations

from pathlib import Path

from dagster import AssetKey, AssetSpec, MaterializeResult, MetadataValue

from orchestration.publish.layout import DBT_DOCS, REPORTS

REPORT_GROUP = "report"
REPORT_KEY = AssetKey("kpi_overview_report")
DOCS_KEY = AssetKey("kpi_definitions_docs")


def report_specs(published: AssetKey) -> list[AssetSpec]:
    """The report assets, downstream of the asset that makes a new published version live."""
    return [
        AssetSpec(
            REPORT_KEY,
            deps=[published],
            group_name=REPORT_GROUP,
            kinds={"html", "plotly"},
            description=(
                "The KPI overview report (published/report.html in Japanese, report.en.html in English): "
                "the whole funnel as a KPI tree split by lead quality, trends by month, target pacing, "
                "inside-sales benchmarks and funnel-health flags, as one self-contained page per language, "
                "of the same published version as the data beside it."
            ),
        ),
        AssetSpec(
            DOCS_KEY,
            deps=[published],
            group_name=REPORT_GROUP,
            kinds={"dbt", "html"},
            description=(
                "dbt docs of the published warehouse (published/dbt_docs/index.html, a single file that "
                "opens offline, plus manifest.json and catalog.json): every KPI definition, column and lineage."
            ),
        ),
    ]


def report_results(published: Path, build_id: str, as_of: str | None, docs_generated: bool) -> list[MaterializeResult]:
    """The materialisations of the pages a publish wrote, named by their stable paths."""
    return [
        MaterializeResult(
            asset_key=REPORT_KEY,
            metadata={
                "report_ja": MetadataValue.path(str(published / REPORTS["ja"])),
                "report_en": MetadataValue.path(str(published / REPORTS["en"])),
                "build_id": build_id,
                "as_of": as_of,
            },
        ),
        MaterializeResult(
            asset_key=DOCS_KEY,
            metadata={
                "index": MetadataValue.path(str(published / DBT_DOCS / "index.html")),
                "regenerated": docs_generated,
                "build_id": build_id,
            },
        ),
    ]
