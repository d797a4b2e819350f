"""A table under construction: named columns that stay compact numpy until written.

Ids and picklist values are kept as integers (a Salesforce id is a prefix plus a
counter, a picklist value an index into its labels), so ten million task rows cost a
few hundred megabytes until the writer turns one chunk at a time into text.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import numpy as np
import pyarrow as pa

from orchestration.demo_data.jp_calendar import NULL


@dataclass(frozen=True)
class Ids:
    """Salesforce-style 18-character ids: `prefix` + the counter zero-padded to 15 digits."""

    prefix: str
    values: np.ndarray  # counters from 1; NULL = no reference


@dataclass(frozen=True)
class Codes:
    """A picklist column: `labels[values]`, NULL for an empty value."""

    labels: tuple[str, ...]
    values: np.ndarray


Data = Union[np.ndarray, Ids, Codes, pa.Array]
Frame = dict[str, Data]


def sf_id(prefix: str, counter: int) -> str:
    return f"{prefix}{counter:015d}"


def codes(labels: tuple[str, ...], values: list[str | None]) -> Codes:
    """Codes from Python strings (small tables only)."""
    position = {label: i for i, label in enumerate(labels)}
    return Codes(labels, np.array([NULL if v is None else position[v] for v in values], dtype=np.int64))


def text(values: list[str | None]) -> pa.Array:
    return pa.array(values, type=pa.string())


def row_count(frame: Frame) -> int:
    first = next(iter(frame.values()))
    return len(first.values) if isinstance(first, (Ids, Codes)) else len(first)


def take(frame: Frame, index: np.ndarray) -> Frame:
    """Rows by position (or boolean mask)."""
    if index.dtype == bool:
        index = np.flatnonzero(index)
    out: Frame = {}
    for name, data in frame.items():
        if isinstance(data, Ids):
            out[name] = Ids(data.prefix, data.values[index])
        elif isinstance(data, Codes):
            out[name] = Codes(data.labels, data.values[index])
        elif isinstance(data, pa.Array):
            out[name] = data.take(pa.array(index))
        else:
            out[name] = data[index]
    return out


def concat(frames: list[Frame]) -> Frame:
    """Stack frames with the same columns (same id prefixes and labels)."""
    out: Frame = {}
    for name, first in frames[0].items():
        parts = [f[name] for f in frames]
        if isinstance(first, Ids):
            out[name] = Ids(first.prefix, np.concatenate([p.values for p in parts]))
        elif isinstance(first, Codes):
            out[name] = Codes(first.labels, np.concatenate([p.values for p in parts]))
        elif isinstance(first, pa.Array):
            out[name] = pa.concat_arrays(parts)
        else:
            out[name] = np.concatenate(parts)
    return out
