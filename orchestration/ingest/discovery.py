"""Find landing files and decide which contract object each one feeds.

Salesforce Data Export names (``OpportunityHistory.csv``), snake_case folders
(``opportunity_history/``) and any capitalisation all map to the same object, so names
are compared lowercase with everything but letters and digits removed.
"""
from __future__ import annotations

import re
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
    source_file: str  # relative to the landing root, with forward slashes
    format: str  # one of FORMATS' values


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


def _classify(relative: Path) -> tuple[str, str] | None:
    """(object, format) for ``<object>.<ext>`` or ``<object>/<name>.<ext>``; else None."""
    parts = relative.parts
    split = split_format(parts[-1])
    if split is None or len(parts) > 2:
        return None
    object_name = parts[0] if len(parts) == 2 else split[0]
    obj = _OBJECT_BY_KEY.get(name_key(object_name))
    return (obj, split[1]) if obj else None


def discover(landing: Path, objects: list[str] | None = None) -> tuple[list[LandingFile], list[str]]:
    """Extracts to load, in (object, path) order, and the files that map to no object.

    Hidden files (``.DS_Store``, editors' temp files) are neither.
    """
    if not landing.is_dir():
        raise FileNotFoundError(f"landing folder {landing} does not exist")
    wanted = set(contract.OBJECTS if objects is None else objects)
    unknown = sorted(wanted - set(contract.OBJECTS))
    if unknown:
        raise ValueError(f"unknown contract objects: {', '.join(unknown)}")
    files: list[LandingFile] = []
    unrecognised: list[str] = []
    for path in landing.rglob("*"):
        relative = path.relative_to(landing)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        match = _classify(relative)
        if match is None:
            unrecognised.append(relative.as_posix())
        elif match[0] in wanted:
            files.append(LandingFile(match[0], path, relative.as_posix(), match[1]))
    files.sort(key=lambda f: (f.object, _natural_key(f.source_file)))
    return files, sorted(unrecognised, key=_natural_key)
