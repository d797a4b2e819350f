"""Row-by-row comparison of one table as two engines built it.

Values are compared as Python values: text, integers, booleans and dates exactly;
timestamps exactly after normalising to naive UTC; a column holding a float (or a
Decimal, as PostgreSQL's numeric arrives) on either side within 1e-9 absolute or
relative. Rows are matched by sorting on every non-float column (floats, rounded,
only break ties).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd

TOLERANCE = 1e-9
SHOWN = 10  # differences listed in a failure message


def _normalise(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    return value


def _is_float_column(*columns: pd.Series) -> bool:
    return any(isinstance(v, float | Decimal) for column in columns for v in column)


def _sort_key(row: tuple, float_positions: set[int]) -> tuple:
    """Non-float columns first, nulls last; rounded floats only break ties."""
    exact = tuple((v is None, v) for i, v in enumerate(row) if i not in float_positions)
    rounded = tuple(
        (v is None, round(float(v), 6) if v is not None else 0.0) for i, v in enumerate(row) if i in float_positions
    )
    return exact + rounded


def _equal(left: object, right: object, is_float: bool) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if is_float:
        return math.isclose(float(left), float(right), rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    if type(left) is not type(right) and not (isinstance(left, date) and isinstance(right, date)):
        return False
    return left == right


def differences(table: str, reference: pd.DataFrame, other: pd.DataFrame, other_name: str) -> list[str]:
    """Why ``other`` is not the same table as ``reference`` (empty when it is)."""
    if list(reference.columns) != list(other.columns):
        return [
            f"{table}: columns differ\n  reference: {list(reference.columns)}\n  {other_name}: {list(other.columns)}"
        ]
    if len(reference) != len(other):
        return [f"{table}: {len(reference)} rows on the reference, {len(other)} on {other_name}"]
    floats = {i for i, name in enumerate(reference.columns) if _is_float_column(reference[name], other[name])}
    rows = [
        sorted(
            (tuple(_normalise(v) for v in row) for row in frame.itertuples(index=False, name=None)),
            key=lambda row: _sort_key(row, floats),
        )
        for frame in (reference, other)
    ]
    found = []
    for number, (left, right) in enumerate(zip(*rows, strict=True), start=1):
        for i, name in enumerate(reference.columns):
            if not _equal(left[i], right[i], i in floats):
                key = {n: left[j] for j, n in enumerate(reference.columns) if j not in floats}
                found.append(
                    f"{table} sorted row {number} column {name}: reference {left[i]!r}, "
                    f"{other_name} {right[i]!r} (row {key})"
                )
    if len(found) > SHOWN:
        found = [*found[:SHOWN], f"{table}: ... {len(found) - SHOWN} more differences"]
    return found
