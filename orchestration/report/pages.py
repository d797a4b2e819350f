"""The pages of a published version: the KPI overview report in both languages and the dbt
docs, drawn from that version and written into its folder before it goes live
(orchestration/publish/layout.py). The one rename that makes the data live makes its
pages live with it, so a person never reads a report of another build than the data
beside it, even after a refresh killed just after the swap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orchestration.build_state import definitions_fingerprint
from orchestration.publish import PublishResult, publish
from orchestration.report.build import write_reports
from orchestration.report.data import read_published
from orchestration.report.dbt_docs import generate_dbt_docs


def write_pages(version_dir: Path, warehouse: Path, published: Path) -> bool:
    """The report from the version's own file, and the docs of the working warehouse it was
    copied from; return whether the docs were generated (not kept from the live version)."""
    write_reports(read_published(version_dir), version_dir)
    _docs, generated = generate_dbt_docs(version_dir, warehouse, definitions_fingerprint(), published)
    return generated


def publish_with_pages(
    warehouse: Path,
    published: Path,
    *,
    run_id: str,
    checks: dict[str, Any],
    definition_versions: dict[str, str] | None = None,
) -> tuple[PublishResult, bool]:
    """Publish the audited warehouse with its pages; return the result and whether the
    docs were generated."""
    docs_generated: list[bool] = []
    result = publish(
        warehouse,
        published,
        run_id=run_id,
        checks=checks,
        definition_versions=definition_versions,
        before_live=lambda staged: docs_generated.append(write_pages(staged, warehouse, published)),
    )
    return result, docs_generated[0]
