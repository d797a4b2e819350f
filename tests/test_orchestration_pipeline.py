"""`run_pipeline` through Dagster: a clean refresh, a broken extract, a busy warehouse."""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
import time
from contextlib import redirect_stdout
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import duckdb
import pytest
from dagster import (
    AssetKey,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    build_run_status_sensor_context,
)

from orchestration.alerts import ALERTS_FILE, WEBHOOK_ENV
from orchestration.checks.quality import SUITE_CHECK
from orchestration.instance import ensure_dagster_home
from orchestration.jobs import REFRESH_JOB_NAME
from orchestration.pipeline import run_pipeline, step_seconds
from orchestration.sensors import alert_on_run_failure
from orchestration.warehouse_lock import WAITING, hold_warehouse

pytestmark = pytest.mark.e2e

BROKEN_FILE = "task/task_20261002_no_owner.csv"
RAGGED_FILE = "lead/lead_20261002_ragged.csv"
UNRECOGNISED_FILE = "notes.txt"
# A made-up customer and phone number in a ragged row: never to be seen in an alert.
ROW_CONTENT = ("山田花子", "090-5555-0199")
HOLDER = "another-refresh"


def _events(instance: DagsterInstance, run_id: str, event_type: DagsterEventType) -> list:
    return [entry.dagster_event for entry in instance.all_logs(run_id, of_type=event_type)]


# --- a clean refresh -----------------------------------------------------------------


def test_a_full_refresh_materialises_every_asset_and_passes_every_check(built_warehouse) -> None:
    assert built_warehouse.exit_code == 0
    with DagsterInstance.from_config(str(built_warehouse.dagster_home)) as instance:
        [run] = instance.get_runs()
        assert (run.job_name, run.status) == (REFRESH_JOB_NAME, DagsterRunStatus.SUCCESS)
        planned = {e.asset_key for e in _events(instance, run.run_id, DagsterEventType.ASSET_MATERIALIZATION_PLANNED)}
        materialised = {e.asset_key for e in _events(instance, run.run_id, DagsterEventType.ASSET_MATERIALIZATION)}
        assert planned and materialised == planned
        checks = [
            e.asset_check_evaluation_data
            for e in _events(instance, run.run_id, DagsterEventType.ASSET_CHECK_EVALUATION)
        ]
        planned_checks = _events(instance, run.run_id, DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED)
        assert len(checks) == len(planned_checks) > 0
        assert [f"{c.asset_key.to_user_string()}:{c.check_name}" for c in checks if not c.passed] == []
        # The raw extracts' suites ran while dbt built (their frames read as dbt started).
        raw_suites = [c for c in checks if c.asset_key.path[0] == "raw" and c.check_name == SUITE_CHECK]
        assert raw_suites and all(c.metadata["validated_ahead"].value for c in raw_suites)
    assert list((built_warehouse.dagster_home / "logs").glob(f"{run.run_id}.log"))


def test_raw_assets_carry_the_load_ledger_figures(built_warehouse) -> None:
    with DagsterInstance.from_config(str(built_warehouse.dagster_home)) as instance:
        lead = instance.get_latest_materialization_event(AssetKey(["raw", "lead"])).asset_materialization
        ledger = instance.get_latest_materialization_event(AssetKey(["ingest", "load_ledger"])).asset_materialization
    with duckdb.connect(str(built_warehouse.warehouse), read_only=True) as con:
        rows = con.execute('select count(*) from raw."lead"').fetchone()[0]
        files = con.execute("select count(*) from ingest.load_ledger").fetchone()[0]
    figures = {key: value.value for key, value in lead.metadata.items()}
    assert figures["dagster/row_count"] == figures["rows_loaded"] == rows > 0
    assert figures["rows_read"] == figures["rows_loaded"] + figures["rows_quarantined"]
    assert figures["new_files"] == len(list((built_warehouse.landing / "lead").iterdir()))
    assert ledger.metadata["new_files"].value == files and ledger.metadata["failed_files"].value == 0


def test_step_seconds_time_every_step_of_the_run_from_its_events(built_warehouse) -> None:
    with DagsterInstance.from_config(str(built_warehouse.dagster_home)) as instance:
        [run] = instance.get_runs()
        entries = instance.all_logs(run.run_id)
        stats = instance.get_run_stats(run.run_id)
    seconds = step_seconds(entries)
    started = [
        e.dagster_event.step_key
        for e in entries
        if e.dagster_event and e.dagster_event.event_type == DagsterEventType.STEP_START
    ]
    assert list(seconds) == started  # every step that started also ended, in start order
    assert {"raw_crm_extracts", "fukan_dbt_models", "published_warehouse"} <= set(seconds)
    assert all(value >= 0 for value in seconds.values())
    assert sum(seconds.values()) <= stats.end_time - stats.start_time


# --- a broken extract, while another run holds the warehouse -------------------------


@dataclass(frozen=True)
class BrokenRun:
    warehouse: Path
    dagster_home: Path
    exit_code: int
    output: str


def _write_task_file_without_owner(source: Path, target: Path) -> None:
    with source.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))[:20]
    columns = [c for c in rows[0] if c.lower().replace("_", "") != "ownerid"]
    with target.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _write_lead_file_with_a_ragged_row(source: Path, target: Path) -> None:
    lines = source.read_text(encoding="utf-8").splitlines()[:4]
    lines[2] += "," + ",".join(ROW_CONTENT)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def broken_run(demo_landing: Path, dagster_homes: Path, tmp_path_factory: pytest.TempPathFactory) -> BrokenRun:
    root = tmp_path_factory.mktemp("broken_run")
    landing = root / "landing"
    shutil.copytree(demo_landing, landing)
    _write_task_file_without_owner(next((landing / "task").glob("*_full.csv")), landing / BROKEN_FILE)
    _write_lead_file_with_a_ragged_row(next((landing / "lead").glob("*_full.csv")), landing / RAGGED_FILE)
    (landing / UNRECOGNISED_FILE).write_text("notes, not an extract\n", encoding="utf-8")
    warehouse = root / "warehouse" / "fukan.duckdb"
    home = ensure_dagster_home(dagster_homes / "broken_run")
    output = io.StringIO()
    result: dict[str, int] = {}

    def refresh() -> None:
        with redirect_stdout(output):
            result["exit_code"] = run_pipeline(landing, warehouse, progress=False)

    webhook = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home))
        patch.setenv(WEBHOOK_ENV, f"http://127.0.0.1:{webhook.server_port}/hook")
        with hold_warehouse(warehouse, HOLDER, print):  # another refresh of the same warehouse
            thread = threading.Thread(target=refresh)
            thread.start()
            deadline = time.monotonic() + 300
            while WAITING not in output.getvalue() and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(3)  # still waiting, not failing
            assert thread.is_alive()
        thread.join(timeout=300)
    webhook.shutdown()
    return BrokenRun(warehouse, home, result["exit_code"], output.getvalue())


def _the_broken_run(instance: DagsterInstance) -> DagsterRun:
    [run] = instance.get_runs()
    return run


def test_a_second_run_waits_for_the_warehouse_instead_of_failing_on_its_lock(broken_run: BrokenRun) -> None:
    assert f"{WAITING} of {broken_run.warehouse} (run {HOLDER}," in broken_run.output
    with DagsterInstance.from_config(str(broken_run.dagster_home)) as instance:
        run = _the_broken_run(instance)
        errors = [str(e.step_failure_data.error) for e in _events(instance, run.run_id, DagsterEventType.STEP_FAILURE)]
    assert errors and not any("lock" in error.lower() for error in errors)


def test_the_terminal_summary_names_what_the_ingest_did_not_read(broken_run: BrokenRun) -> None:
    [line] = [line for line in broken_run.output.splitlines() if UNRECOGNISED_FILE in line]
    assert line.startswith("  not read: ") and line.endswith(")"), line


def test_a_broken_extract_fails_the_run_and_nothing_downstream_is_built(broken_run: BrokenRun) -> None:
    assert broken_run.exit_code != 0
    assert BROKEN_FILE in broken_run.output and "owner_id" in broken_run.output
    with DagsterInstance.from_config(str(broken_run.dagster_home)) as instance:
        run = _the_broken_run(instance)
        assert run.status == DagsterRunStatus.FAILURE
        materialised = {e.asset_key for e in _events(instance, run.run_id, DagsterEventType.ASSET_MATERIALIZATION)}
    assert AssetKey(["raw", "task"]) not in materialised
    assert {key.path[0] for key in materialised} <= {"raw", "ingest"}
    with duckdb.connect(str(broken_run.warehouse), read_only=True) as con:
        schemas = {
            row[0] for row in con.execute("select distinct table_schema from information_schema.tables").fetchall()
        }
    assert schemas <= {"raw", "ingest"}


class _Webhook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Webhook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_a_failed_fukan_run_alerts_once_naming_the_file_and_no_row_content(broken_run: BrokenRun) -> None:
    """`fukan run` alerts its own failure (the daemon's sensor does not see runs executed in
    process); the sensor, shown the same run, does not alert it again."""
    [alert] = [json.loads(line) for line in (broken_run.dagster_home / ALERTS_FILE).read_text().splitlines()]
    with DagsterInstance.from_config(str(broken_run.dagster_home)) as instance:
        run = _the_broken_run(instance)
        assert alert["run_id"] == run.run_id
        assert "raw/task" in alert["failed_assets"]
        assert BROKEN_FILE in alert["text"] and "owner_id" in alert["text"]
        [posted] = _Webhook.received
        assert posted == {"text": alert["text"]}
        for content in ROW_CONTENT:
            assert content not in posted["text"] and content not in json.dumps(alert, ensure_ascii=False)
            assert content not in broken_run.output  # the run's failure text in the terminal

        [failure] = _events(instance, run.run_id, DagsterEventType.RUN_FAILURE)
        context = build_run_status_sensor_context(
            sensor_name="alert_on_run_failure", dagster_instance=instance, dagster_run=run, dagster_event=failure
        ).for_run_failure()
        alert_on_run_failure(context)
    assert len((broken_run.dagster_home / ALERTS_FILE).read_text().splitlines()) == 1
    assert len(_Webhook.received) == 1
