"""A table under construction: named columns that stay compact numpy until written.

Ids and picklist values are kept as integers (a Salesforce id is a prefix plus a
counter, a picklist value an index into its labels), so ten million task rows cost a
few hundred megabytes until the writer turns one chunk at a time into text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class Ids:
    """Salesforce-style 18-character ids: prefix + the counter zero-padded to 15 digits.

    A polymorphic reference (`who_id`: lead or contact) gives a tuple of prefixes and
    `kind`, the index of each row's prefix.
    """

    prefix: str | tuple[str, ...]
    values: np.ndarray  # counters from 1; NULL = no reference
    kind: np.ndarray | None = None

    def at(self, index: np.ndarray | slice) -> Ids:
        return Ids(self.prefix, self.values[index], None if self.kind is None else self.kind[index])


@dataclass(frozen=True)
class Codes:
    """A picklist column: `labels[values]`, NULL for an empty value."""

    labels: tuple[str, ...]
    values: np.ndarray

    def at(self, index: np.ndarray | slice) -> Codes:
        return Codes(self.labels, self.values[index])


Data = np.ndarray | Ids | Codes | pa.Array
Frame = dict[str, Data]


def sf_id(prefix: str, counter: int) -> str:
    return f"{prefix}{counter:015d}"


def text(values: list[str | None]) -> pa.Array:
    return pa.array(values, type=pa.string())


def row_count(frame: Frame) -> int:
    first = next(iter(frame.values()))
    return len(first.values) if isinstance(first, (Ids, Codes)) else len(first)


def take(frame: Frame, index: slice) -> Frame:
    """A slice of rows (numpy views, no copy)."""
    return {name: data.at(index) if isinstance(data, (Ids, Codes)) else data[index] for name, data in frame.items()}


def concat(frames: list[Frame]) -> Frame:
    """Stack frames with the same columns (same id prefixes and labels)."""
    out: Frame = {}
    for name, first in frames[0].items():
        parts = [f[name] for f in frames]
        if isinstance(first, Ids):
            kind = None if first.kind is None else np.concatenate([p.kind for p in parts])
            out[name] = Ids(first.prefix, np.concatenate([p.values for p in parts]), kind)
        elif isinstance(first, Codes):
            out[name] = Codes(first.labels, np.concatenate([p.values for p in parts]))
        elif isinstance(first, pa.Array):
            out[name] = pa.concat_arrays(parts)
        else:
            out[name] = np.concatenate(parts)
    return out
