"""Writing files people open while they may be open: never half a file."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target, flush, then rename over it: a reader sees the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not `.tmp-*`: the publish step's recovery removes those names from published/.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
