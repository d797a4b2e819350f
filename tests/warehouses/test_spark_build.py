"""The same dbt project on Apache Spark: the demo extracts built on Spark (Parquet lake,
dbt-spark session mode) give the KPI marts a DuckDB build gives, row for row.

Slow (a Spark build takes minutes) and needs the `warehouses` extra and Java 17+:
`make test-warehouses`; the normal `make test` deselects it.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from compare import assert_same_rows

from orchestration import config
from orchestration.dbt_project import dbt_executable
from orchestration.ingest import ingest_landing
from orchestration.warehouses.spark import SparkWarehouse, build_spark

pytestmark = pytest.mark.warehouses


@pytest.fixture(scope="module")
def spark_warehouse(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> SparkWarehouse:
    return build_spark(demo_landing, tmp_path_factory.mktemp("spark"))


@pytest.fixture(scope="module")
def duckdb_warehouse(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same extracts built on DuckDB by dbt alone (models and seeds; the tests ran
    in the Spark build and run in the DuckDB suites)."""
    root = tmp_path_factory.mktemp("duckdb")
    warehouse = root / "fukan.duckdb"
    ingest_landing(demo_landing, warehouse, progress=False).raise_for_failures()
    env = {**os.environ, "FUKAN_DBT_TARGET": "duckdb", "FUKAN_WAREHOUSE": str(warehouse)}
    subprocess.run(
        [dbt_executable(), "build", "--quiet", "--exclude-resource-type", "test", "--exclude-resource-type",
         "unit_test", "--project-dir", str(config.DBT_PROJECT_DIR), "--profiles-dir", str(config.DBT_PROJECT_DIR),
         "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        env=env, check=True,
    )
    return warehouse


def _kpi_tables(manifest: Path) -> list[str]:
    """The relation names (aliases) of the models in the kpi schema."""
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"].values()
    return sorted(n["alias"] for n in nodes if n["resource_type"] == "model" and n["schema"] == "kpi")


def _read_duckdb(warehouse: Path, table: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"SELECT * FROM kpi.{table}").df()


def test_spark_build_passes_every_dbt_test(spark_warehouse):
    """build_spark raises unless dbt build passed; the results show what ran."""
    results = json.loads((spark_warehouse.dbt_target / "run_results.json").read_text(encoding="utf-8"))["results"]
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert {"model", "seed", "test", "unit_test"} <= kinds
    assert {r["status"] for r in results} <= {"success", "pass"}


def test_kpi_marts_on_spark_equal_duckdb(spark_warehouse, duckdb_warehouse):
    tables = _kpi_tables(spark_warehouse.dbt_target / "manifest.json")
    assert len(tables) >= 8, tables
    for table in tables:
        assert_same_rows(spark_warehouse.read("kpi", table), _read_duckdb(duckdb_warehouse, table), f"kpi.{table}")
