"""fukan relies on two private APIs; an upgrade that changes them must fail here, loudly,
before it changes a refresh.

- `orchestration/event_storage.py` subclasses Dagster's `SqliteEventLogStorage`: it
  replaces `_connect`, `has_table` and `dispose`, and uses `conn_string_for_shard`,
  `_initdb`, `_initialized_dbs` and `_db_lock` as the stock `__init__`, `run_connection`
  and `index_connection` set them up.
- `orchestration/dbt_project.py` overrides dagster-dbt's `DbtCliResource._cli_version`
  and `_initialize_dbt_core_adapter`, which `DbtCliResource.cli` calls.

Each pinned function's source is fingerprinted. When one changes, read the new source,
check that the override still does what its docstring says (tests/test_orchestration_
event_storage.py exercises the storage), then update the fingerprint here.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable

import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster_dbt import DbtCliResource

PINNED: dict[str, tuple[Callable[..., object], str]] = {
    "SqliteEventLogStorage.__init__": (SqliteEventLogStorage.__init__, "264c15baa761a7bb"),
    "SqliteEventLogStorage._connect": (SqliteEventLogStorage._connect, "b8435f2665689760"),
    "SqliteEventLogStorage.has_table": (SqliteEventLogStorage.has_table, "577d801c70b2a4a5"),
    "SqliteEventLogStorage.dispose": (SqliteEventLogStorage.dispose, "df16dafbfa8427c1"),
    "SqliteEventLogStorage._initdb": (SqliteEventLogStorage._initdb, "7a302d98eb61a34d"),
    "SqliteEventLogStorage.conn_string_for_shard": (SqliteEventLogStorage.conn_string_for_shard, "896bc510d776042e"),
    "SqliteEventLogStorage.run_connection": (SqliteEventLogStorage.run_connection, "54e64bd6f8b77093"),
    "SqliteEventLogStorage.index_connection": (SqliteEventLogStorage.index_connection, "8caf95ebe806cabd"),
    "DbtCliResource._cli_version": (DbtCliResource.__dict__["_cli_version"].func, "b06b86a642ba8bcd"),
    "DbtCliResource._initialize_dbt_core_adapter": (DbtCliResource._initialize_dbt_core_adapter, "f033303d9d777bff"),
    "DbtCliResource.cli": (DbtCliResource.cli, "a9ca99daf92597e3"),
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_the_private_code_fukan_overrides_is_the_code_it_was_checked_against(name: str) -> None:
    function, fingerprint = PINNED[name]
    found = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
    assert found == fingerprint, (
        f"{name} changed upstream (fingerprint {found}): re-check the override that relies on it "
        "(see this module's docstring) before updating the fingerprint"
    )
