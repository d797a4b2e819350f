"""Find landing files and decide which contract object each one feeds.

Salesforce Data Export names (``OpportunityHistory.csv``), snake_case folders
(``opportunity_history/``) and any capitalisation all map to the same object, so names
are compared lowercase with everything but letters and digits removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from orchestration import contract

# Longest suffix first, so ``x.csv.gz`` is not taken for a ``.gz`` of something else.
FORMATS = {".csv.gz": "csv.gz", ".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl"}


def name_key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


_OBJECT_BY_KEY = {
    name_key(alias): obj.name
    for obj in contract.OBJECTS.values()
    for alias in (obj.name, obj.salesforce_name, *obj.extra_names)
    if alias
}


@dataclass(frozen=True)
class LandingFile:
    object: str
    path: Path
    source_file: str  # relative to the landing root, with forward slashes; readable (see readable_name)
    format: str  # one of FORMATS' values


@dataclass(frozen=True)
class Ignored:
    """A landing entry fukan does not read, and why: listed in every ingest summary."""

    path: str  # relative to the landing root, readable
    reason: str


def readable_name(relative: Path) -> str:
    """A name for the ledger and for people: bytes that are not UTF-8 (a CP932 file name
    on a UTF-8 system) are written as backslash escapes, ``\\x83\\x8a``."""
    return relative.as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def split_format(filename: str) -> tuple[str, str] | None:
    """``Lead.csv.gz`` -> (``Lead``, ``csv.gz``); None for a file that is not an extract."""
    lower = filename.lower()
    for suffix, fmt in FORMATS.items():
        if lower.endswith(suffix) and len(filename) > len(suffix):
            return filename[: -len(suffix)], fmt
    return None


def _natural_key(text: str) -> list[str | int]:
    """``task_2`` sorts before ``task_10``: file order breaks latest-wins ties."""
    # Odd positions of the split are the digit runs, so types line up between names.
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", text.lower()))]


def _classify(relative: Path) -> tuple[str, str] | str:
    """(object, format) for ``<object>.<ext>`` or ``<object>/<name>.<ext>``; else why not."""
    parts = relative.parts
    split = split_format(parts[-1])
    if split is None:
        return f"not an extract format ({', '.join(FORMATS)})"
    if len(parts) > 2:
        return "in a sub-folder of an object folder"
    object_name = parts[0] if len(parts) == 2 else split[0]
    obj = _OBJECT_BY_KEY.get(name_key(object_name))
    return (obj, split[1]) if obj else f"no contract object named {object_name!r}"


def _entries(landing: Path) -> Iterator[tuple[Path, Path] | Ignored]:
    """(path, path relative to the landing root) of every file under it, and the entries
    skipped. A link, to a file or a folder, is followed only when its target lies inside
    the landing folder: a link elsewhere would make any file on the machine an extract.
    Hidden entries (``.DS_Store``, editors' temp files) are neither."""
    root = landing.resolve()
    seen = {root}
    folders = [landing]
    while folders:
        folder = folders.pop()
        for entry in sorted(folder.iterdir()):
            relative = entry.relative_to(landing)
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                target = entry.resolve()
                if not target.exists():
                    yield Ignored(readable_name(relative), "broken link")
                    continue
                if not target.is_relative_to(root):
                    yield Ignored(readable_name(relative), "link to a target outside the landing folder")
                    continue
            if entry.is_dir():
                if entry.resolve() in seen:
                    yield Ignored(readable_name(relative), "link to a folder already read")
                    continue
                seen.add(entry.resolve())
                folders.append(entry)
            elif entry.is_file():
                yield entry, relative
            else:
                yield Ignored(readable_name(relative), "not a regular file")


def discover(landing: Path, objects: list[str] | None = None) -> tuple[list[LandingFile], list[Ignored]]:
    """Extracts to load, in (object, path) order, and the entries not read, with why."""
    if not landing.is_dir():
        raise FileNotFoundError(f"landing folder {landing} does not exist")
    wanted = set(contract.OBJECTS if objects is None else objects)
    unknown = sorted(wanted - set(contract.OBJECTS))
    if unknown:
        raise ValueError(f"unknown contract objects: {', '.join(unknown)}")
    files: list[LandingFile] = []
    ignored: list[Ignored] = []
    for entry in _entries(landing):
        if isinstance(entry, Ignored):
            ignored.append(entry)
            continue
        path, relative = entry
        match = _classify(relative)
        if isinstance(match, str):
            ignored.append(Ignored(readable_name(relative), match))
        elif match[0] in wanted:
            files.append(LandingFile(match[0], path, readable_name(relative), match[1]))
    files.sort(key=lambda f: (f.object, _natural_key(f.source_file)))
    return files, sorted(ignored, key=lambda i: _natural_key(i.path))
