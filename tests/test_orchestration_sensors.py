"""The landing-file sensor: each new file starts exactly one refresh, and only once."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from dagster import build_sensor_context

from orchestration.resources import WarehouseResource
from orchestration.sensors import SETTLE_SECONDS, landing_files_sensor
from orchestration.warehouse_lock import hold_warehouse


def _tick(landing: Path, cursor: str | None):
    resources = {"warehouse": WarehouseResource(landing_dir=str(landing))}
    with build_sensor_context(cursor=cursor, resources=resources) as context:
        return landing_files_sensor.evaluate_tick(context)


def _settled(path: Path) -> None:
    """As if the ELT tool had finished writing the file a minute ago."""
    past = time.time() - SETTLE_SECONDS - 60
    os.utime(path, (past, past))


@pytest.fixture
def landing(demo_landing: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "landing"
    shutil.copytree(demo_landing, copy)
    for path in copy.rglob("*"):
        _settled(path)
    return copy


def test_a_new_file_requests_exactly_one_run_and_only_once(landing: Path) -> None:
    baseline = _tick(landing, cursor=None)
    assert baseline.run_requests == [] and "Baseline" in baseline.skip_message

    new = landing / "task" / "task_20261002_delta.csv"
    shutil.copy(landing / "task" / "task_20261001_delta.csv", new)
    _settled(new)
    first = _tick(landing, baseline.cursor)
    assert len(first.run_requests) == 1
    assert first.run_requests[0].job_name in (None, "refresh_warehouse")

    again = _tick(landing, first.cursor)
    assert again.run_requests == []


def test_a_changed_mtime_counts_as_new_and_a_file_still_being_written_waits(landing: Path) -> None:
    baseline = _tick(landing, cursor=None)
    lead = next((landing / "lead").iterdir())
    os.utime(lead)  # just touched: may still be being written
    assert _tick(landing, baseline.cursor).run_requests == []
    _settled(lead)
    os.utime(lead, (lead.stat().st_atime, lead.stat().st_mtime - 1))
    assert len(_tick(landing, baseline.cursor).run_requests) == 1


def test_the_sensor_never_waits_for_a_refresh_that_holds_the_warehouse(landing: Path, tmp_path: Path) -> None:
    """Only runs take the warehouse's lock; a sensor reads where the landing folder is."""
    warehouse = tmp_path / "fukan.duckdb"
    resources = {"warehouse": WarehouseResource(landing_dir=str(landing), warehouse_path=str(warehouse))}
    with hold_warehouse(warehouse, "a-refresh", print):
        started = time.monotonic()
        with build_sensor_context(cursor=None, resources=resources) as context:
            assert "Baseline" in landing_files_sensor.evaluate_tick(context).skip_message
        assert time.monotonic() - started < 10


def test_files_the_loader_would_not_read_never_trigger(landing: Path) -> None:
    baseline = _tick(landing, cursor=None)
    for name in ("notes.txt", ".DS_Store", "task/.~lock.task.csv#"):
        path = landing / name
        path.write_text("x")
        _settled(path)
    assert _tick(landing, baseline.cursor).run_requests == []
