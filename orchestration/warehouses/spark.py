"""Build the warehouse on Apache Spark: the landing files become the Parquet lake, then
the same dbt project runs on the `spark` target of dbt_project/profiles.yml (dbt-spark
session mode, Spark local[2] inside the dbt process). Needs the `warehouses` extra
(`make install-warehouses`) and Java 17 or later.

    built = build_spark(landing, workdir)
    built.read("kpi", "kpi_funnel_overview")  # a pandas DataFrame

Everything lives under ``workdir`` (FUKAN_SPARK_DIR): ``lake/`` (raw tables, ledger,
quarantine), ``warehouse/<schema>.db/<table>/`` (the tables dbt builds, Parquet),
``metastore_db/`` and ``derby.log`` (Spark's catalog), ``dbt/`` (dbt's artifacts and logs).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration import config
from orchestration.dbt_project import dbt_executable
from orchestration.ingest import ingest_landing
from orchestration.ingest.sql import literal


class SparkBuildError(RuntimeError):
    """dbt build on Spark did not pass; the message holds dbt's summary of what failed."""


def spark_environment(spark_dir: Path) -> dict[str, str]:
    """The variables the spark target reads, to add to the environment of dbt.

    Spark binds to the address the host name resolves to unless SPARK_LOCAL_IP says
    otherwise; local mode needs nothing but the loopback address.
    """
    return {
        "FUKAN_SPARK_DIR": str(Path(spark_dir).resolve()),
        "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1"),
    }


@dataclass(frozen=True)
class SparkWarehouse:
    """The tables a Spark build left under ``spark_dir``, read without starting Spark."""

    spark_dir: Path

    @property
    def lake(self) -> Path:
        return config.spark_lake(self.spark_dir)

    @property
    def dbt_target(self) -> Path:
        """dbt's target folder of the build (manifest.json, run_results.json)."""
        return self.spark_dir / "dbt" / "target"

    def table_files(self, schema: str, table: str) -> str:
        """The Parquet files of a table dbt built (as a glob); a view has none."""
        folder = self.spark_dir / "warehouse" / f"{schema}.db" / table
        if not any(folder.glob("*.parquet")):
            raise FileNotFoundError(f"{schema}.{table}: no Parquet files in {folder} (not built, or a view)")
        return str(folder / "*.parquet")

    @contextmanager
    def rows(self, schema: str, table: str) -> Iterator[duckdb.DuckDBPyRelation]:
        """A table dbt built, as a DuckDB relation over its Parquet files, timestamps as
        UTC instants; open while the block runs."""
        with duckdb.connect() as con:
            con.execute("SET TimeZone = 'UTC'")
            yield con.sql(f"SELECT * FROM read_parquet({literal(self.table_files(schema, table))})")

    def read(self, schema: str, table: str) -> pd.DataFrame:
        """A table dbt built, as a pandas DataFrame."""
        with self.rows(schema, table) as rows:
            return rows.df()


def build_spark(landing: Path, workdir: Path, *, dbt_args: tuple[str, ...] = ("build",)) -> SparkWarehouse:
    """Load the landing files into the lake under ``workdir`` (new files only) and run
    ``dbt <dbt_args>`` (default: build: seeds, models, unit and data tests) on Spark.

    Raises IngestError when a file failed to load and SparkBuildError when dbt failed.
    dbt's output goes to ``workdir/dbt/build.log``.
    """
    warehouse = SparkWarehouse(Path(workdir).resolve())
    ingest_landing(Path(landing), warehouse.lake, target="spark", progress=False).raise_for_failures()
    log = warehouse.dbt_target.parent / "build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [
        dbt_executable(),
        *dbt_args,
        "--target",
        "spark",
        "--project-dir",
        str(config.DBT_PROJECT_DIR),
        "--profiles-dir",
        str(config.DBT_PROJECT_DIR),
        "--target-path",
        str(warehouse.dbt_target),
        "--log-path",
        str(log.parent / "logs"),
    ]
    env = {**os.environ, **spark_environment(warehouse.spark_dir)}
    with log.open("w", encoding="utf-8") as output:
        returncode = subprocess.run(command, env=env, stdout=output, stderr=subprocess.STDOUT).returncode
    if returncode != 0:
        raise SparkBuildError(
            f"dbt {' '.join(dbt_args)} on Spark failed (exit {returncode}); "
            f"{log}:\n{_summary(log.read_text(encoding='utf-8'))}"
        )
    return warehouse


def _summary(output: str) -> str:
    """dbt's closing summary (what failed and why), else the end of its output."""
    lines = output.splitlines()
    starts = [i for i, line in enumerate(lines) if "Completed with" in line]
    return "\n".join(lines[starts[-1] :] if starts else lines[-40:])
