"""Dagster's SQLite event log, with connections kept open instead of one per event.

The stock `SqliteEventLogStorage` creates an engine, opens the database file, writes one
event and closes it again, for every event, and a refresh stores thousands (a planned
event and an evaluation per dbt test, mirrored into the index database). This subclass
keeps one engine per database (the few most recently used), writes in WAL mode with
`synchronous=NORMAL` (SQLite's recommended pairing: a crash of the process loses nothing,
a power cut at most the last events), and remembers which index tables exist, which the
stock storage asks before storing each check event. It is otherwise the stock storage,
files and schema included, so the web UI, the daemon and `dagster` commands read the
same history. It overrides private methods: tests/test_orchestration_private_apis.py
fails when Dagster changes them.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dagster import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

# Open databases kept per process: the index and the runs being written or watched.
OPEN_DATABASES = 8


def _tune(connection: sqlite3.Connection, _record: Any) -> None:
    connection.execute("PRAGMA synchronous=NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """`SqliteEventLogStorage` keeping its database connections open between events."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls) -> dict:
        return {"base_dir": StringSource}

    @classmethod
    def from_config_value(cls, inst_data: Any, config_value: dict) -> PooledSqliteEventLogStorage:
        return cls(config_value["base_dir"], inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard),
            pool_size=1,
            # Connections move between Dagster's threads; `_db_lock` serialises their use.
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        event.listen(engine, "connect", _tune)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        if len(self._engines) > OPEN_DATABASES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    def has_table(self, table_name: str) -> bool:
        """Whether the index has the table; a table once found is not looked up again
        (migrations add tables, nothing drops them; `wipe` empties them)."""
        if table_name not in self._tables_found and super().has_table(table_name):
            self._tables_found.add(table_name)
        return table_name in self._tables_found

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as connection, connection.begin():
            yield connection

    def dispose(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()
        super().dispose()
