"""dbt unit tests (fixed inputs -> expected rows, per model) run here, not on every
refresh: they test the SQL, not the data (the refresh excludes them, see
orchestration/assets/dbt.py). dbt reads column types from the built relations, so they run
on a copy of the session's warehouse."""

from __future__ import annotations

import json
import shutil

from run_dbt_cli import run_dbt


def test_every_dbt_unit_test_passes(built_warehouse, tmp_path):
    warehouse, target = tmp_path / "fukan.duckdb", tmp_path / "target"
    shutil.copy(built_warehouse.warehouse, warehouse)
    run_dbt(["test", "--select", "test_type:unit", "--quiet"], warehouse, target)
    results = [
        result
        for result in json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
        if result["unique_id"].startswith("unit_test.")
    ]  # not the on-run-start hook's result
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert len(results) == len(manifest["unit_tests"]) >= 30
    assert {result["status"] for result in results} == {"pass"}
