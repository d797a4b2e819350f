"""The on-disk protocol of the published copy: versions, one pointer, atomic swaps.

```
published/
  current -> versions/<build_id>          the ONE pointer; swapping it publishes
  fukan.duckdb -> current/fukan.duckdb     stable names readers open (never change)
  manifest.json -> current/manifest.json
  parquet -> current/parquet
  report.html -> current/report.html       the pages people open, of the same version
  report.en.html -> current/report.en.html
  dbt_docs -> current/dbt_docs
  versions/<build_id>/                     complete, immutable once renamed into place
      fukan.duckdb  manifest.json  parquet/<schema>/<table>.parquet
      report.html  report.en.html  dbt_docs/
  versions/.tmp-<build_id>/                being written (removed by recovery)
```

A version is written beside the live one under a temporary name (its data first, then
the pages drawn from that data), flushed to disk, renamed into `versions/`, and only
then made live by replacing the `current` symlink with `os.replace` (an atomic rename).
That rename is the single commit point: a reader resolving any of the stable names at
any instant gets files of one version, so the report always shows the data beside it,
and a process killed at any step leaves the old version live (or the new one, once the
rename happened). Leftovers of a killed publish are only
ever temporary names or unreferenced versions, which `recover()` removes at the start
of the next publish. The previous version is kept, so a reader that resolved the old
pointer just before a swap can still open its files.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

CURRENT = "current"
VERSIONS = "versions"
MANIFEST = "manifest.json"
DATABASE = "fukan.duckdb"
PARQUET = "parquet"
REPORTS = {"ja": "report.html", "en": "report.en.html"}  # the KPI overview, one page per language
DBT_DOCS = "dbt_docs"
TMP_PREFIX = ".tmp-"
ENTRY_LINKS = (DATABASE, MANIFEST, PARQUET, *REPORTS.values(), DBT_DOCS)

# Test hook: pause (print a line, then sleep) at a named stage so a test can SIGKILL
# the process exactly there. Never set in production.
PAUSE_ENV = "FUKAN_PUBLISH_PAUSE_AT"


def pause_point(stage: str) -> None:
    """Stop here when FUKAN_PUBLISH_PAUSE_AT names this stage (crash tests only)."""
    if os.environ.get(PAUSE_ENV) == stage:
        print(f"publish paused at {stage}", flush=True)
        while True:
            time.sleep(60)


def fsync_path(path: Path) -> None:
    """Flush a file's or folder's content and metadata to disk before a rename relies on it."""
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every file and folder under root (children first), so a renamed tree is whole."""
    for folder, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            fsync_path(Path(folder) / name)
        fsync_path(Path(folder))


def atomic_symlink(link: Path, target: str) -> None:
    """Point `link` at `target` (relative) with one rename, replacing any old link."""
    temporary = link.with_name(f"{TMP_PREFIX}{link.name}-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, link)


def current_build_id(published: Path) -> str | None:
    """The live version's build id, or None before the first publish."""
    pointer = published / CURRENT
    if not pointer.is_symlink():
        return None
    return Path(os.readlink(pointer)).name


def live_version_dir(published: Path) -> Path | None:
    """The live version's folder (the pointer resolved once), or None before the first publish."""
    build_id = current_build_id(published)
    return None if build_id is None else published / VERSIONS / build_id


def read_manifest(published: Path) -> dict[str, Any] | None:
    """The live version's manifest (read through the pointer once), or None."""
    live = live_version_dir(published)
    return None if live is None else json.loads((live / MANIFEST).read_text(encoding="utf-8"))


def new_version_dir(published: Path, build_id: str) -> Path:
    """An empty temporary folder for a version being written."""
    folder = published / VERSIONS / f"{TMP_PREFIX}{build_id}"
    folder.mkdir(parents=True)
    return folder


def commit(published: Path, staged: Path, build_id: str) -> Path:
    """Make a fully written version live: rename it into place, then swap the pointer."""
    fsync_tree(staged)
    final = published / VERSIONS / build_id
    os.replace(staged, final)
    fsync_path(final.parent)
    pause_point("before_swap")
    atomic_symlink(published / CURRENT, f"{VERSIONS}/{build_id}")
    fsync_path(published)
    pause_point("after_swap")
    ensure_entry_links(published)
    return final


def ensure_entry_links(published: Path) -> None:
    """Create the stable reader names (`fukan.duckdb` -> `current/fukan.duckdb`, ...) if missing."""
    missing = [name for name in ENTRY_LINKS if not (published / name).is_symlink()]
    for name in missing:
        _move_into_live_version(published, name)
        atomic_symlink(published / name, f"{CURRENT}/{name}")
    if missing:
        fsync_path(published)


def _move_into_live_version(published: Path, name: str) -> None:
    """A page written beside the versions (as releases before versioned pages did) moves
    into the live version it was drawn from, so the stable name can become a link."""
    legacy = published / name
    live = live_version_dir(published)
    if not legacy.exists():
        return
    if live is not None and not (live / name).exists():
        os.replace(legacy, live / name)
    else:
        shutil.rmtree(legacy) if legacy.is_dir() else legacy.unlink()


def recover(published: Path) -> list[Path]:
    """Remove what a killed or failed publish left, and versions no reader needs.

    Kept: the live version and the one it replaced (named in its manifest). Removed:
    temporary folders and links, and any other version (e.g. one written completely
    but killed before the swap). Returns the removed paths.
    """
    if not published.exists():
        return []
    keep: set[str] = set()
    live = current_build_id(published)
    if live is not None:
        keep.add(live)
        manifest = read_manifest(published) or {}
        if manifest.get("previous_build_id"):
            keep.add(manifest["previous_build_id"])
        ensure_entry_links(published)
    removed: list[Path] = []
    stale_links = [p for p in published.glob(f"{TMP_PREFIX}*") if p.is_symlink() or p.is_file()]
    versions = published / VERSIONS
    stale_versions = [p for p in versions.iterdir() if p.name not in keep] if versions.exists() else []
    for path in stale_links:
        path.unlink()
        removed.append(path)
    for path in stale_versions:
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
        removed.append(path)
    return removed
