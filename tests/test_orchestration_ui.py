"""`make ui` on a fresh checkout: no dbt manifest yet (dbt's target folder is git-ignored),
the launcher prepares it, the web UI shows the graph, and SIGTERM stops it all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from orchestration import contract

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 240

QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    assetChecksOrError { ... on AssetChecks { checks { name } } }
  }
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        schedules { name cronSchedule executionTimezone futureTicks(limit: 1) { results { timestamp } } }
        sensors { name }
      }
    }
  }
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _graphql(port: int) -> dict | None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": QUERY}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            data = json.load(response).get("data") or {}
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None
    # The webserver answers before the code location has loaded: wait for the assets.
    return data if data.get("assetNodes") else None


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@pytest.fixture
def ui(tmp_path: Path):
    """`python -m orchestration.ui` on a free port, in its own session, with an empty dbt
    target folder; yields (process, port, data, target)."""
    port = _free_port()
    (tmp_path / "landing").mkdir()
    target = tmp_path / "dbt_target"
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(target),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "FUKAN_LANDING_DIR": str(tmp_path / "landing"),
        "FUKAN_WAREHOUSE": str(tmp_path / "warehouse" / "fukan.duckdb"),
        "FUKAN_UI_PORT": str(port),
    }
    log = (tmp_path / "ui.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.ui"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        data = None
        while data is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(2)
            data = _graphql(port)
        assert data is not None, (tmp_path / "ui.log").read_text()[-3000:]
        yield process, port, data, target
    finally:
        if process.poll() is None:  # the test failed before stopping it
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_ui_from_a_fresh_checkout_lists_assets_checks_and_schedule_and_stops_on_sigterm(ui) -> None:
    process, port, data, target = ui
    assert (target / "manifest.json").exists()
    assets = {tuple(node["assetKey"]["path"]): node for node in data["assetNodes"]}
    assert {("raw", name) for name in contract.OBJECTS} <= set(assets)
    assert ("staging", "stg_crm__leads") in assets
    checks = {
        (path, check["name"]) for path, node in assets.items() for check in node["assetChecksOrError"].get("checks", [])
    }
    assert any(path == ("raw", "task") and name == "crm_task_row_rules" for path, name in checks)
    assert any(path == ("staging", "stg_crm__leads") for path, _ in checks)

    [repository] = data["repositoriesOrError"]["nodes"]
    [schedule] = [s for s in repository["schedules"] if s["name"] == "daily_refresh"]
    assert (schedule["cronSchedule"], schedule["executionTimezone"]) == ("0 6 * * *", "Asia/Tokyo")
    next_tick = datetime.fromtimestamp(schedule["futureTicks"]["results"][0]["timestamp"], ZoneInfo("Asia/Tokyo"))
    assert (next_tick.hour, next_tick.minute) == (6, 0)
    assert {"landing_files", "alert_on_run_failure"} <= {s["name"] for s in repository["sensors"]}

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    assert not _answers(port)
