"""The instance fukan writes keeps Dagster's SQLite event log open between events, and
stays the stock storage on disk: the stock class (the web UI's, the daemon's) reads it."""

from __future__ import annotations

from dagster import AssetCheckResult, AssetCheckSpec, AssetSpec, DagsterInstance, Output, materialize, multi_asset
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.event_storage import OPEN_DATABASES, PooledSqliteEventLogStorage
from orchestration.instance import ensure_dagster_home

CHECKS = 20


@multi_asset(
    specs=[AssetSpec("subject")], check_specs=[AssetCheckSpec(f"c{i}", asset="subject") for i in range(CHECKS)]
)
def subject():
    yield Output(None, output_name="subject")
    for i in range(CHECKS):
        yield AssetCheckResult(check_name=f"c{i}", passed=i % 2 == 0, asset_key="subject")


def test_events_written_pooled_read_back_by_the_stock_storage(tmp_path, monkeypatch):
    home = ensure_dagster_home(tmp_path / "home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    with DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        run_id = materialize([subject], instance=instance, raise_on_error=False).run_id
        written = len(instance.get_records_for_run(run_id).records)
    # Another process's instance of the same home, whatever its own DAGSTER_HOME says.
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    with DagsterInstance.from_config(str(home)) as reader:
        assert len(reader.get_records_for_run(run_id).records) == written
    stock = SqliteEventLogStorage(str(home / "history" / "runs"))
    records = stock.get_records_for_run(run_id).records
    assert len(records) == written > 2 * CHECKS
    evaluations = [
        r.event_log_entry.dagster_event.event_specific_data
        for r in records
        if r.event_log_entry.dagster_event
        and r.event_log_entry.dagster_event.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert sorted(e.passed for e in evaluations) == [False] * (CHECKS // 2) + [True] * (CHECKS // 2)


def test_only_the_most_recent_databases_stay_open(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    for shard in range(OPEN_DATABASES + 3):
        with storage.run_connection(f"run{shard}"):
            pass
    assert list(storage._engines) == [f"run{shard}" for shard in range(3, OPEN_DATABASES + 3)]
    storage.dispose()
    assert not storage._engines


def test_an_index_table_once_found_is_not_looked_up_again(tmp_path, monkeypatch):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    lookups = []
    stock_lookup = SqliteEventLogStorage.has_table
    monkeypatch.setattr(
        SqliteEventLogStorage, "has_table", lambda self, name: lookups.append(name) or stock_lookup(self, name)
    )
    assert [storage.has_table("asset_check_executions") for _ in range(3)] == [True] * 3
    assert [storage.has_table("no_such_table") for _ in range(2)] == [False] * 2
    assert lookups == ["asset_check_executions", "no_such_table", "no_such_table"]
    storage.dispose()
