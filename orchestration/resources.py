"""Resources shared by the assets: where the warehouse lives, and dbt.

DuckDB allows one writer per file, and a refresh's steps read what its earlier steps
wrote: every run holds the warehouse's lock from its start to its end
(orchestration/warehouse_lock.py), so a second run waits for the first as a whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext

from orchestration import config, process_gc
from orchestration.dbt_project import dbt_cli
from orchestration.warehouse_lock import hold_warehouse


class WarehouseResource(ConfigurableResource):
    """The landing folder and the working warehouse file of one deployment.

    Left empty, both come from FUKAN_LANDING_DIR / FUKAN_WAREHOUSE when a run starts
    (not when the code location loads), so a deployment is configured by its
    environment; `run_pipeline` sets both in the run config.

    A run (the refresh job executes in one process) initialises it once: it holds the
    warehouse's lock and the run's garbage-collector setting until the run ends.
    """

    landing_dir: str | None = None
    warehouse_path: str | None = None

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir).resolve() if self.landing_dir else config.landing_dir()

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path).resolve() if self.warehouse_path else config.warehouse_path()

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[WarehouseResource]:
        if context.dagster_run is None:  # a sensor reading where the landing folder is
            yield self
            return
        with hold_warehouse(self.warehouse, context.dagster_run.run_id, context.log.info), process_gc.during_run():
            yield self


def resources() -> dict[str, object]:
    """The resource set of the code location, by the names the assets ask for."""
    return {"warehouse": WarehouseResource(), "dbt": dbt_cli()}
