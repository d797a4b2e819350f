"""The model SQL is the same on every warehouse: no DuckDB-only function or syntax in
models, singular tests or macros, except inside the dispatched macros of
macros/cross_database (where a duckdb__ variant may use them). Static and fast: the
compiled SQL of a real PostgreSQL build is checked by `make test-warehouses`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from duckdb_only_sql import duckdb_only_uses

from orchestration.config import DBT_PROJECT_DIR
from orchestration.dbt_project import ensure_manifest

DISPATCHED = DBT_PROJECT_DIR / "macros" / "cross_database"
POSTGRES_MAX_IDENTIFIER = 63


def _sql_files() -> list[Path]:
    files = [
        path
        for folder in ("models", "tests", "macros")
        for path in sorted((DBT_PROJECT_DIR / folder).rglob("*.sql"))
        if DISPATCHED not in path.parents
    ]
    assert len(files) > 50, f"expected the project's SQL files under {DBT_PROJECT_DIR}, found {len(files)}"
    return files


def test_no_duckdb_only_sql_outside_dispatched_macros():
    problems = [
        f"{path.relative_to(DBT_PROJECT_DIR)} {use}"
        for path in _sql_files()
        for use in duckdb_only_uses(path.read_text())
    ]
    assert not problems, "DuckDB-only SQL; move it into a dispatched macro under macros/cross_database:\n" + "\n".join(
        problems
    )


@pytest.mark.parametrize(
    ("sql", "flagged"),
    [
        ("select list_aggregate(xs, 'sum') from t", "list_aggregate("),
        ("select regexp_matches(title, '部長') as is_manager from leads", "regexp_matches("),
        ("select strftime(created_at, '%Y') from t", "strftime("),
        ("select date_diff('day', a, b) from t", "date_diff("),
        ("select epoch(created_at) from t", "epoch("),
        ("select arg_max(stage, changed_at) from t group by 1", "arg_max("),
        ("select * from t qualify row_number() over (partition by id) = 1", "qualify"),
        ("select owner_id, count(*) from t group by all", "group by all"),
        ("select * exclude (secret) from t", "* exclude ("),
        ("select struct_pack(a := 1)", "struct_pack("),
        ("select try_cast(x as int) from t", "try_cast("),
        ("select string_split(reasons, ',') from t", "string_split("),
    ],
)
def test_each_duckdb_only_construct_is_flagged(sql, flagged):
    uses = duckdb_only_uses("with t as (select 1)\n" + sql)
    assert len(uses) == 1 and uses[0].startswith(f"line 2: {flagged} "), uses


@pytest.mark.parametrize(
    "sql",
    [
        "select {{ dbt.datediff('a', 'b', 'day') }}, {{ fukan.regexp_search('title', \"'部長'\") }} from t",
        "select id -- no qualify here, nor list_value(\nfrom t /* group by all */ where note = 'strftime(x)'",
        "select cast(x as date), coalesce(a, b), split_part(s, '|', 1), string_agg(s, ',') from t",
        "select count(*) filter (where is_won) from t where title ilike '%部長%' and x::int > 0",
    ],
)
def test_portable_sql_and_macro_calls_pass(sql):
    assert duckdb_only_uses(sql) == []


def test_relation_names_fit_postgresql():
    """PostgreSQL cuts identifiers at 63 bytes and dbt refuses longer relation names: a
    model, seed, snapshot or unit test (dbt builds a relation named after it) whose name
    is longer builds on DuckDB and fails on PostgreSQL."""
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    nodes = [*manifest["nodes"].values(), *manifest.get("unit_tests", {}).values()]
    too_long = sorted(
        node["name"]
        for node in nodes
        if node["resource_type"] in ("model", "seed", "snapshot", "unit_test")
        and len(node["name"].encode()) > POSTGRES_MAX_IDENTIFIER
    )
    assert too_long == [], f"names longer than {POSTGRES_MAX_IDENTIFIER} bytes: {too_long}"
