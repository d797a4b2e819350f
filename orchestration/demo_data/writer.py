"""Write frames as landing files, the way the ELT tools of docs/landing-contract.md write them.

CSV text is built from fixed-width byte records (ids, Salesforce timestamps) because
per-value formatting of ten million rows would dominate the run time. Parquet keeps
real types (timestamps in UTC, dates, integers), as an ELT tool's Parquet output does.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from orchestration.contract import BOOLEAN, DATE, DOUBLE, INTEGER, OBJECTS, TIMESTAMP
from orchestration.demo_data.frame import Codes, Frame, Ids, row_count
from orchestration.demo_data.jp_calendar import DAY

CHUNK_ROWS = 500_000
_BLOCKS = np.char.zfill(np.arange(100_000).astype("U5"), 5).astype("S5")
_CLOCK = np.array([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)], dtype="S8")


@dataclass(frozen=True)
class FileStyle:
    """How one object's extract looks on disk."""

    salesforce_headers: bool = False  # `CreatedDate` instead of `created_date`
    encoding: str = "utf-8"
    quote_all: bool = False
    crlf: bool = False


FIVETRAN = FileStyle()
SALESFORCE_EXPORT = FileStyle(salesforce_headers=True, quote_all=True, crlf=True)
SALESFORCE_EXPORT_CP932 = FileStyle(salesforce_headers=True, encoding="cp932", quote_all=True, crlf=True)


def api_name(column: str) -> str:
    """`user_role_id` -> `UserRoleId`; custom `hearing_item_count_c` -> `Hearing_Item_Count__c`."""
    if column.endswith("_c"):
        return "_".join(w.capitalize() for w in column[:-2].split("_")) + "__c"
    return "".join(w.capitalize() for w in column.split("_"))


def _fixed_width(records: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Turn an array of equal-length byte records into an Arrow string array without copies per value."""
    n, width = records.size, records.dtype.itemsize
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int32)
    bitmap = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(records.view(np.uint8)), bitmap, int(n - valid.sum())
    )


def _ids(data: Ids) -> pa.Array:
    valid = data.values >= 0
    v = np.where(valid, data.values, 0).astype(np.int64)
    rec = np.empty(v.size, dtype=[("p", "S3"), ("a", "S5"), ("b", "S5"), ("c", "S5")])
    if isinstance(data.prefix, str):
        rec["p"] = data.prefix.encode()
    else:
        rec["p"] = np.array(data.prefix, dtype="S3")[data.kind]
    rec["a"] = _BLOCKS[v // 10**10]
    rec["b"] = _BLOCKS[v // 10**5 % 10**5]
    rec["c"] = _BLOCKS[v % 10**5]
    return _fixed_width(rec, valid)


def ids_text(prefix: str, values: np.ndarray) -> pa.Array:
    """Ids as Arrow text, for columns that mix ids with other values (LeadHistory's Owner rows)."""
    return _ids(Ids(prefix, values))


def _timestamps_text(seconds: np.ndarray) -> pa.Array:
    """Salesforce API form `2026-04-01T09:00:00.000+0000` (UTC)."""
    valid = seconds >= 0
    s = np.where(valid, seconds, seconds[valid].min() if valid.any() else 0)
    days = s // DAY
    first = int(days.min()) if s.size else 0
    calendar = np.datetime_as_string(np.arange(first, int(days.max()) + 1 if s.size else 1).astype("M8[D]")).astype(
        "S10"
    )
    rec = np.empty(s.size, dtype=[("d", "S10"), ("t", "S1"), ("h", "S8"), ("z", "S9")])
    rec["d"] = calendar[days - first]
    rec["t"] = b"T"
    rec["h"] = _CLOCK[s - days * DAY]
    rec["z"] = b".000+0000"
    return _fixed_width(rec, valid)


def _arrow(data, kind: str, csv: bool) -> pa.Array:
    if isinstance(data, Ids):
        return _ids(data)
    if isinstance(data, Codes):
        indices = pa.array(data.values.astype(np.int32), mask=data.values < 0)
        labels = pa.array(list(data.labels), type=pa.string())
        out = pa.DictionaryArray.from_arrays(indices, labels)
        return out if csv else out.cast(pa.string())
    if isinstance(data, pa.Array):
        return data
    if kind == TIMESTAMP:
        if csv:
            return _timestamps_text(data)
        return pa.array(data * 1000, type=pa.timestamp("ms", tz="UTC"), mask=data < 0)
    if kind == DATE:
        return pa.array(data.astype(np.int32), type=pa.date32(), mask=data < 0)
    if kind == INTEGER:
        return pa.array(data, type=pa.int64(), mask=data < 0)
    if kind == DOUBLE:
        missing = np.isnan(data)
        whole = np.where(missing, 0.0, data)
        if csv and np.array_equal(whole, np.round(whole)):  # yen amounts: `16325000000`, not `1.6325e+10`
            return pa.array(whole.astype(np.int64), type=pa.int64(), mask=missing)
        return pa.array(data, type=pa.float64(), mask=missing)
    if kind == BOOLEAN:
        return pa.array(data, type=pa.bool_())
    raise TypeError(f"numpy column of kind {kind!r} needs Ids or Codes")


def _columns(obj_name: str, frame: Frame) -> list[tuple[str, str]]:
    """Contract columns in contract order, then pass-through extras in frame order."""
    obj = OBJECTS[obj_name]
    ordered = [(c.name, c.type) for c in obj.columns if c.name in frame]
    ordered += [(name, "text") for name in frame if name not in obj.column_names]
    return ordered


def _chunks(obj_name: str, frame: Frame, style: FileStyle, csv: bool):
    columns = _columns(obj_name, frame)
    names = [api_name(c) if style.salesforce_headers else c for c, _ in columns]
    n = row_count(frame)
    for lo in range(0, max(n, 1), CHUNK_ROWS):
        part = slice(lo, min(n, lo + CHUNK_ROWS))
        arrays = []
        for column, kind in columns:
            data = frame[column]
            arrays.append(_arrow(data.at(part) if isinstance(data, (Ids, Codes)) else data[part], kind, csv))
        yield pa.Table.from_arrays(arrays, names=names)


def write(path: Path, obj_name: str, frame: Frame, style: FileStyle = FIVETRAN) -> Path:
    """Write one extract file; the suffix (.csv or .parquet) picks the format."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        writer = None
        for table in _chunks(obj_name, frame, style, csv=False):
            writer = writer or pq.ParquetWriter(path, table.schema, compression="zstd")
            writer.write_table(table)
        writer.close()
        return path
    options = pacsv.WriteOptions(
        quoting_style="all_valid" if style.quote_all else "needed", eol="\r\n" if style.crlf else "\n"
    )
    if style.encoding == "utf-8":
        with pa.OSFile(str(path), "wb") as sink:
            writer = None
            for table in _chunks(obj_name, frame, style, csv=True):
                writer = writer or pacsv.CSVWriter(sink, table.schema, write_options=options)
                writer.write_table(table)
            writer.close()
        return path
    # Re-encoding goes through memory: only small objects (campaigns) are written this way.
    buffer = io.BytesIO()
    for i, table in enumerate(_chunks(obj_name, frame, style, csv=True)):
        pacsv.write_csv(
            table,
            buffer,
            pacsv.WriteOptions(include_header=i == 0, quoting_style=options.quoting_style, eol=options.eol),
        )
    path.write_bytes(buffer.getvalue().decode("utf-8").encode(style.encoding))
    return path
