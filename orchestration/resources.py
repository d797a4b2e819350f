"""Resources shared by the assets: where the warehouse lives, and dbt.

Every step that opens the working DuckDB file runs in the pool `WAREHOUSE_POOL`, whose
limit is 1 in the instance's `dagster.yaml` (orchestration/instance.py): DuckDB allows
one writer per file, so two runs take turns instead of failing on the lock.
"""
from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from orchestration import config
from orchestration.dbt_project import dbt_cli

WAREHOUSE_POOL = "fukan_warehouse"


class WarehouseResource(ConfigurableResource):
    """The landing folder and the working warehouse file of one deployment.

    Left empty, both come from FUKAN_LANDING_DIR / FUKAN_WAREHOUSE when a run starts
    (not when the code location loads), so a deployment is configured by its
    environment; `run_pipeline` sets both in the run config.
    """

    landing_dir: str | None = None
    warehouse_path: str | None = None

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir).resolve() if self.landing_dir else config.landing_dir()

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path).resolve() if self.warehouse_path else config.warehouse_path()


def resources() -> dict[str, object]:
    """The resource set of the code location, by the names the assets ask for."""
    return {"warehouse": WarehouseResource(), "dbt": dbt_cli()}
