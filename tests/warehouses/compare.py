"""Whether two engines built the same table: the one check every warehouse test makes."""
from __future__ import annotations

import numpy as np
import pandas as pd

FLOAT_TOLERANCE = 1e-9  # relative and absolute: summation order differs between engines


def _utc_naive(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamps as naive UTC: one engine hands out instants, another naive UTC."""
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
            frame[column] = frame[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame


def _type(column: pd.Series) -> str:
    """The column's type as pandas holds it; text is text whether pandas inferred its
    string type or kept objects (as it does for a column of nulls only)."""
    is_text = pd.api.types.is_string_dtype(column.dtype) or column.dtype == object
    return "text" if is_text else str(column.dtype)


def _in_row_order(frame: pd.DataFrame, floats: list[str]) -> pd.DataFrame:
    """Rows sorted on every non-float column, then on the floats rounded, so that
    equal tables line up row by row."""
    keys = [column for column in frame.columns if column not in floats]
    rounded = {f"__{column}": frame[column].round(6) for column in floats}
    ordered = frame.assign(**rounded).sort_values([*keys, *rounded], na_position="last", kind="mergesort")
    return ordered.drop(columns=list(rounded)).reset_index(drop=True)


def assert_same_rows(actual: pd.DataFrame, expected: pd.DataFrame, table: str) -> None:
    """``actual`` holds exactly the rows of ``expected``: same columns and types, same
    row count; text, integers, dates and booleans equal, floats within FLOAT_TOLERANCE,
    timestamps equal as UTC instants. Row order does not matter."""
    actual, expected = _utc_naive(actual), _utc_naive(expected)
    assert sorted(actual.columns) == sorted(expected.columns), f"{table}: columns differ"
    actual = actual[list(expected.columns)]
    types = {c: (_type(actual[c]), _type(expected[c])) for c in expected.columns}
    drifted = {c: pair for c, pair in types.items() if pair[0] != pair[1]}
    assert not drifted, f"{table}: column types (actual, expected) differ: {drifted}"
    assert len(actual) == len(expected), f"{table}: {len(actual)} rows, expected {len(expected)}"
    floats = [c for c in expected.columns if pd.api.types.is_float_dtype(expected[c].dtype)]
    actual, expected = _in_row_order(actual, floats), _in_row_order(expected, floats)
    for column in expected.columns:
        a, e = actual[column], expected[column]
        if column in floats:
            same = np.isclose(a, e, rtol=FLOAT_TOLERANCE, atol=FLOAT_TOLERANCE, equal_nan=True)
        else:
            same = (a == e) | (a.isna() & e.isna())
        if not same.all():
            row = int(np.argmin(np.asarray(same)))
            raise AssertionError(
                f"{table}.{column}: row {row} of {len(expected)} (sorted) is {a.iloc[row]!r}, "
                f"expected {e.iloc[row]!r}; that row: {expected.iloc[row].to_dict()}"
            )
