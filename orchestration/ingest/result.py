"""What an ingestion run did, for the caller to act on and for people to read."""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.ingest.discovery import Ignored
from orchestration.ingest.errors import IngestError


@dataclass(frozen=True)
class FileResult:
    object: str
    source_file: str  # relative to the landing root
    file_seq: int | None  # ledger sequence; for a skipped file, that of its earlier load
    status: str  # 'loaded' | 'empty' (not even a header) | 'failed' | 'skipped'
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    duplicate_ids: int = 0
    extra_columns: list[str] = field(default_factory=list)
    error: str | None = None  # starts with source_file; never quotes the file's content
    skipped: bool = False  # same content already loaded: nothing done


def _row_counts(files: list[FileResult]) -> tuple[str, str, str]:
    return (
        str(sum(f.rows_read for f in files)),
        str(sum(f.rows_loaded for f in files)),
        str(sum(f.rows_quarantined for f in files)),
    )


@dataclass(frozen=True)
class IngestResult:
    files: list[FileResult]
    ignored: list[Ignored] = field(default_factory=list)  # landing entries not read, and why
    missing_required: list[str] = field(default_factory=list)  # required objects never loaded

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def loaded(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "loaded"]

    @property
    def empty(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "empty"]

    @property
    def skipped(self) -> list[FileResult]:
        return [f for f in self.files if f.skipped]

    def problems(self) -> list[str]:
        """Every reason the warehouse built from this run would be incomplete."""
        return [str(f.error) for f in self.failed] + [
            f"required object {name} has no loaded file (expected by the contract)" for name in self.missing_required
        ]

    def raise_for_failures(self) -> None:
        problems = self.problems()
        if problems:
            raise IngestError("ingestion failed:\n" + "\n".join(f"  {p}" for p in problems))

    def __str__(self) -> str:
        shown = [f for f in self.files if not f.skipped]
        table = [("object", "file", "status", "read", "loaded", "quarantined")]
        table += [(f.object, f.source_file, f.status, *_row_counts([f])) for f in shown]
        table.append(("total", "", "", *_row_counts(shown)))
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        counts = (
            f"{len(self.loaded)} loaded, {len(self.empty)} empty, {len(self.failed)} failed, "
            f"{len(self.skipped)} skipped (already loaded)"
        )
        lines = [f"ingest: {counts}"]
        lines += [
            "  ".join(
                cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
            for row in table
        ]
        if self.ignored:
            lines.append("not read:")
            lines += [f"  {entry.path}: {entry.reason}" for entry in self.ignored]
        problems = self.problems()
        if problems:
            lines.append("problems:")
            lines += [f"  {p}" for p in problems]
        return "\n".join(lines)
