"""Where a refresh's `dbt build` spent its time: the `run_results.json` and `manifest.json`
it left in the pipeline's dbt target folder, summed per kind of node.

dbt runs nodes on several threads, so their times add up to thread-seconds, more than
the build's own wall time (dbt's `elapsed_time`, shown beside them).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

SLOWEST = 5


def _kind(unique_id: str, node: dict[str, Any] | None) -> str:
    """'incremental models', 'table models', 'data tests', 'seeds', 'hooks', ..."""
    resource = unique_id.split(".", 1)[0]
    if resource == "model" and node is not None:
        return f"{node['config']['materialized']} models"
    return {"test": "data tests", "seed": "seeds", "operation": "hooks"}.get(resource, f"{resource}s")


def build_summary(target: Path, since: float) -> dict[str, Any] | None:
    """The `dbt build` results in `target` written at or after `since` (epoch seconds),
    or None when the last dbt command there is older or was not a build."""
    results_path, manifest_path = target / "run_results.json", target / "manifest.json"
    if not results_path.exists() or results_path.stat().st_mtime < since:
        return None
    run = json.loads(results_path.read_text(encoding="utf-8"))
    if run.get("args", {}).get("which") != "build":
        return None
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"] if manifest_path.exists() else {}
    kinds: dict[str, dict[str, Any]] = defaultdict(lambda: {"nodes": 0, "thread_seconds": 0.0})
    timed = []
    for result in run["results"]:
        kind = _kind(result["unique_id"], nodes.get(result["unique_id"]))
        kinds[kind]["nodes"] += 1
        kinds[kind]["thread_seconds"] += result["execution_time"]
        # <resource>.<package>.<name>[.<hash or version>]
        timed.append((result["execution_time"], result["unique_id"].split(".")[2], kind))
    slowest = sorted(timed, reverse=True)[:SLOWEST]
    return {
        "elapsed_seconds": round(run["elapsed_time"], 3),
        "kinds": {
            kind: {**totals, "thread_seconds": round(totals["thread_seconds"], 3)}
            for kind, totals in sorted(kinds.items(), key=lambda item: -item[1]["thread_seconds"])
        },
        "slowest": [{"node": name, "kind": kind, "seconds": round(seconds, 3)} for seconds, name, kind in slowest],
        # Every node's time, kept in the results file (not printed): what a group of
        # models costs can be summed from one run, e.g. the models an issue added.
        "node_seconds": {name: round(seconds, 3) for seconds, name, _ in sorted(timed, key=lambda item: item[1])},
    }
