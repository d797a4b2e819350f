"""Write-audit-publish: the copy of the warehouse that BI tools and the report read.

The pipeline writes into the working warehouse; the checks audit it; only then does
`publish()` copy the KPI marts, facts and dimensions into `published/` beside it (the
protocol is in `layout.py`). The caller may add files drawn from the new version (the
report and docs pages) before it goes live. Nothing here decides whether the checks
passed: the Dagster asset that calls it does (orchestration/assets/publish.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from orchestration.publish import layout
from orchestration.publish.build import write_version
from orchestration.publish.layout import current_build_id, read_manifest, recover

__all__ = ["PublishResult", "current_build_id", "publish", "read_manifest", "recover"]


@dataclass(frozen=True)
class PublishResult:
    build_id: str
    version_dir: Path
    manifest: dict[str, Any]
    removed: list[Path]  # leftovers of earlier publishes cleaned up by this one

    @property
    def row_counts(self) -> dict[str, int]:
        return {name: table["rows"] for name, table in self.manifest["tables"].items()}


def new_build_id(run_id: str) -> str:
    """Sortable by time, unique per run: `20261126T061502Z-1a2b3c4d`."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{run_id[:8]}"


def publish(
    warehouse: Path,
    published: Path,
    *,
    run_id: str,
    checks: dict[str, Any],
    definition_versions: dict[str, str] | None = None,
    before_live: Callable[[Path], None] | None = None,
) -> PublishResult:
    """Copy the audited working warehouse into a new version and make it live atomically.

    The manifest records `checks` (the audit's summary) and, besides the quality-lead
    definition read from the data, any `definition_versions` the caller knows.
    `before_live(folder)` may add files to the written version before it goes live; if it
    raises, nothing is published.
    """
    published.mkdir(parents=True, exist_ok=True)
    removed = recover(published)
    build_id = new_build_id(run_id)
    staged = layout.new_version_dir(published, build_id)
    manifest = write_version(
        warehouse,
        staged,
        build_id=build_id,
        run_id=run_id,
        previous_build_id=current_build_id(published),
        checks=checks,
        definition_versions=definition_versions or {},
    )
    if before_live is not None:
        before_live(staged)
    final = layout.commit(published, staged, build_id)
    removed += recover(published)
    return PublishResult(build_id=build_id, version_dir=final, manifest=manifest, removed=removed)
