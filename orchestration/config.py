"""Paths and settings, from environment variables with working local defaults.

The names are a stable interface: FUKAN_LANDING_DIR,
FUKAN_WAREHOUSE, DAGSTER_HOME; FUKAN_PG_* for a PostgreSQL warehouse (the same variables
the dbt profile's `postgres` target reads). Relative paths resolve against the current directory,
as a data team would expect from a command-line tool.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
SEEDS_DIR = PROJECT_ROOT / "seeds"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

DEFAULT_LANDING_DIR = "data/landing"
DEFAULT_WAREHOUSE = "warehouse/fukan.duckdb"
DEFAULT_SPARK_DIR = "warehouse/spark"

RAW_SCHEMA = "raw"
INGEST_SCHEMA = "ingest"  # load ledger and quarantine
INGEST_TARGETS = ("duckdb", "postgres", "spark")  # where raw.* can live, by dbt target name


def landing_dir() -> Path:
    return Path(os.environ.get("FUKAN_LANDING_DIR", DEFAULT_LANDING_DIR)).resolve()


def warehouse_path() -> Path:
    return Path(os.environ.get("FUKAN_WAREHOUSE", DEFAULT_WAREHOUSE)).resolve()


def spark_dir() -> Path:
    """Everything the Spark target keeps: Parquet lake, tables, metastore (profiles.yml)."""
    return Path(os.environ.get("FUKAN_SPARK_DIR", DEFAULT_SPARK_DIR)).resolve()


def spark_lake(spark: Path) -> Path:
    """The Parquet lake of raw tables in a Spark folder (the dbt hook register_lake_sources
    reads the same place)."""
    return spark / "lake"


def published_dir(warehouse: Path | None = None) -> Path:
    """The published copy lives beside the working warehouse file."""
    return (warehouse or warehouse_path()).parent / "published"


@dataclass(frozen=True)
class PostgresSettings:
    """Where a PostgreSQL warehouse is; ``from_env`` has the dbt profile's defaults."""

    host: str
    port: int
    user: str
    password: str
    database: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> PostgresSettings:
        env = os.environ if environ is None else environ
        return cls(
            host=env.get("FUKAN_PG_HOST", "127.0.0.1"),
            port=int(env.get("FUKAN_PG_PORT", "5432")),
            user=env.get("FUKAN_PG_USER", "fukan"),
            password=env.get("FUKAN_PG_PASSWORD", ""),
            database=env.get("FUKAN_PG_DATABASE", "fukan"),
        )

    def connect_kwargs(self) -> dict[str, str | int]:
        return {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.database,
        }

    def describe(self) -> str:
        """The connection for messages, without the password."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"
