"""The benchmark's summary of a `dbt build` (bench/dbt_nodes.py): thread-seconds per kind
of node from the run_results.json and manifest.json dbt leaves in its target folder."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from bench.dbt_nodes import build_summary

RESULTS = [
    ("operation.fukan.fukan-on-run-start-0", 0.01),
    ("seed.fukan.funnel_steps", 0.2),
    ("model.fukan.stg_crm__tasks", 3.0),
    ("model.fukan.fct_activities", 5.5),
    ("model.fukan.kpi_funnel_overview", 2.0),
    ("test.fukan.fct_activities_row_rules.b9bbf1ffbb", 1.25),
    ("test.fukan.marketing_campaign_cost_reconciles_with_dim_campaigns", 0.5),
]
MATERIALIZED = {"stg_crm__tasks": "incremental", "fct_activities": "incremental", "kpi_funnel_overview": "table"}


def _target(folder: Path, which: str = "build") -> Path:
    folder.mkdir()
    run = {
        "elapsed_time": 7.25,
        "args": {"which": which},
        "results": [{"unique_id": uid, "execution_time": seconds} for uid, seconds in RESULTS],
    }
    nodes = {
        uid: {"config": {"materialized": MATERIALIZED.get(uid.split(".")[2], "test")}}
        for uid, _ in RESULTS
        if not uid.startswith("operation")
    }
    (folder / "run_results.json").write_text(json.dumps(run), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    return folder


def test_a_build_is_summed_per_kind_of_node(tmp_path):
    summary = build_summary(_target(tmp_path / "target"), since=0)
    assert summary["elapsed_seconds"] == 7.25
    assert summary["kinds"] == {
        "incremental models": {"nodes": 2, "thread_seconds": 8.5},
        "table models": {"nodes": 1, "thread_seconds": 2.0},
        "data tests": {"nodes": 2, "thread_seconds": 1.75},
        "seeds": {"nodes": 1, "thread_seconds": 0.2},
        "hooks": {"nodes": 1, "thread_seconds": 0.01},
    }
    assert list(summary["kinds"]) == ["incremental models", "table models", "data tests", "seeds", "hooks"]
    assert [(n["node"], n["kind"]) for n in summary["slowest"]] == [
        ("fct_activities", "incremental models"),
        ("stg_crm__tasks", "incremental models"),
        ("kpi_funnel_overview", "table models"),
        ("fct_activities_row_rules", "data tests"),
        ("marketing_campaign_cost_reconciles_with_dim_campaigns", "data tests"),
    ]
    assert summary["node_seconds"] == {uid.split(".")[2]: seconds for uid, seconds in RESULTS}


def test_only_a_build_written_during_the_run_counts(tmp_path):
    target = _target(tmp_path / "target")
    written = (target / "run_results.json").stat().st_mtime
    assert build_summary(target, since=written + 1) is None  # left by an earlier command
    os.utime(target / "run_results.json", (time.time(), time.time()))
    assert build_summary(target, since=written) is not None
    assert build_summary(_target(tmp_path / "other", which="run"), since=0) is None
    assert build_summary(tmp_path / "missing", since=0) is None
