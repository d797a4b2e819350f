"""What dbt compiled for each engine other than DuckDB holds no DuckDB-only SQL (a
function that PostgreSQL has under the same name with other semantics would build and
give wrong numbers, so a green build is not proof enough)."""

from __future__ import annotations

import json

import pytest
from duckdb_only_sql import duckdb_only_uses

pytestmark = pytest.mark.warehouses


def test_compiled_models_have_no_duckdb_only_sql(builds, grepped_engine):
    engine = grepped_engine
    target = builds[engine].target_path
    manifest = json.loads((target / "manifest.json").read_text())
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    compiled = {node["unique_id"]: target / "compiled" / "fukan" / node["original_file_path"] for node in models}
    missing = [str(path) for path in compiled.values() if not path.exists()]
    assert not missing, f"{len(missing)} of {len(models)} models were not compiled: {missing[:5]}"
    problems = [
        f"{path.relative_to(target)} {use}" for path in compiled.values() for use in duckdb_only_uses(path.read_text())
    ]
    assert not problems, f"DuckDB-only SQL in the {engine} build:\n" + "\n".join(problems)
