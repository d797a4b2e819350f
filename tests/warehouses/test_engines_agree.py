"""Every KPI mart and core fact, built from the same extracts, is the same table on every
engine as on DuckDB: same columns, same row count, the same rows (compare.py)."""

from __future__ import annotations

import pytest
from compare import differences
from engines import LOAD_NUMBER, LOADED_IN_TWO_STEPS, REFERENCE

pytestmark = pytest.mark.warehouses


def test_table_is_the_same_as_on_duckdb(builds, engine, compared_table):
    schema, table = compared_table
    reference = builds[REFERENCE].read(schema, table)
    other = builds[engine].read(schema, table)
    if engine in LOADED_IN_TWO_STEPS:
        reference, other = (frame.drop(columns=LOAD_NUMBER, errors="ignore") for frame in (reference, other))
    assert len(reference) > 0, f"{schema}.{table} is empty on {REFERENCE}: nothing would be compared"
    found = differences(f"{schema}.{table}", reference, other, engine)
    assert not found, "\n".join(found)
