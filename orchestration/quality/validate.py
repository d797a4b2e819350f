"""Run the committed suites on pandas frames read from DuckDB (read-only).

GX's SQL datasource returns empty results on DuckDB (GX issues 10738, 11579), so each suite reads
its frame with DuckDB and GX validates the DataFrame. Memory stays bounded by what each
suite's `meta.frame` says it reads: raw tables in full up to `max_rows` rows and a
deterministic sample (hash of the record id) above; the 10-million-row activity fact
as a monthly aggregate; the KPI overview as its monthly cohort rows; the volume
comparison as one row per published table.

GX runs in an ephemeral context whose stores live under DAGSTER_HOME (data_docs.py).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from orchestration import config
from orchestration.ingest.sql import ident, literal
from orchestration.publish import layout
from orchestration.publish.build import published_relations
from orchestration.quality import data_docs, parameters

if TYPE_CHECKING:
    from great_expectations.data_context import AbstractDataContext

_PUBLISHED = "last_published"


SUITES_DIR = config.EXPECTATIONS_DIR / "expectations"  # the GX file context's expectations store


# GX's optional Spark support imports this package, and importing it calls `sys.exit(0)`
# when `__main__` has neither `__spec__` nor `__file__` (pyspark takes that for its own
# doctests): the case in Dagster's run worker, a multiprocessing "spawn" child.
_SPARK_CONNECT = "pyspark.sql.connect"
_IMPORT_LOCK = threading.Lock()


def import_great_expectations() -> ModuleType:
    """GX, imported without Spark Connect: fukan validates pandas frames, never Spark ones.

    Every GX import at run time goes through here first (later `import great_expectations`
    statements find the module loaded). While GX imports, `pyspark.sql.connect` reads as not
    installed, an ImportError GX handles; a process that already imported it is left as is.
    """
    with _IMPORT_LOCK:
        if "great_expectations" in sys.modules or _SPARK_CONNECT in sys.modules:
            return importlib.import_module("great_expectations")
        sys.modules[_SPARK_CONNECT] = None  # type: ignore[assignment] # import raises ImportError
        try:
            return importlib.import_module("great_expectations")
        finally:
            if sys.modules.get(_SPARK_CONNECT, ...) is None:
                del sys.modules[_SPARK_CONNECT]


def import_great_expectations_in_background() -> None:
    """Import GX (about 5 s of CPU: it loads scipy and every expectation class) in a thread.

    For a refresh whose raw extracts cannot be validated ahead (`checks/quality.py`): the
    import still overlaps the dbt build, so the checks find GX loaded. If the import
    fails here, the checks import it again and report the error themselves.
    """

    def load() -> None:
        with contextlib.suppress(Exception):
            import_great_expectations()

    threading.Thread(target=load, name="import-great-expectations", daemon=True).start()


def load_suites(folder: Path = SUITES_DIR) -> dict[str, dict[str, Any]]:
    """The committed suites as JSON dicts by name (no GX import: the code location loads fast)."""
    suites = {}
    for path in sorted(folder.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        suites[data["name"]] = data
    return suites


@dataclass(frozen=True)
class Frame:
    data: pd.DataFrame
    reads: str  # what the frame holds, said plainly for the check's metadata
    index_columns: tuple[str, ...] = ()  # name the failing rows in GX's result


_NS_SAFE = (pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31"))


def _vectorisable(data: pd.DataFrame) -> pd.DataFrame:
    """Dtypes GX compares column-wise instead of value by value (100x faster).

    GX vectorises `between` only for float/int and nanosecond datetimes; DuckDB gives
    microsecond datetimes and nullable Int64. Values outside the nanosecond range are
    clipped to its ends, which still lie far outside any plausible window.
    """
    for column in data.columns:
        dtype = data[column].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype) and not pd.api.types.is_datetime64_ns_dtype(dtype):
            data[column] = data[column].clip(*_NS_SAFE).astype("datetime64[ns]")
        elif isinstance(dtype, pd.Int64Dtype):
            data[column] = data[column].astype("float64")
    return data


def read_frame(con: duckdb.DuckDBPyConnection, frame: dict[str, Any]) -> Frame:
    """The suite's frame; big raw tables as a deterministic sample.

    When the suite's SQL no longer binds (a contract column vanished from the table),
    the plain table is read instead, so GX reports the missing column by name.
    """
    sql = frame["sql"]
    max_rows = frame.get("max_rows")
    reads = frame["reads"]
    if max_rows:
        schema, table = frame["relation"].split(".", 1)
        rows = con.execute(f'select count(*) from {schema}."{table}"').fetchone()[0]
        if rows > max_rows:
            modulus = math.ceil(rows / max_rows)
            sql = f"select * from ({sql}) where hash({frame['sample_key']}) % {modulus} = 0"
            reads = f"deterministic sample: rows whose hash({frame['sample_key']}) % {modulus} = 0, of {rows:,} rows"
        else:
            reads = f"all {rows:,} rows"
    try:
        data = _fetch(con, sql)
    except duckdb.BinderException:
        schema, table = frame["relation"].split(".", 1)
        data = _fetch(con, f'select * from {schema}."{table}" limit {max_rows or 1_000_000}')
        reads = f"{reads}; the suite's SQL did not bind, so the plain table was read"
    return Frame(_vectorisable(data), reads)


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The result as a DataFrame, through Arrow: on the large raw samples 3-4x faster than
    DuckDB's own `.df()` (text stays Arrow-backed; dates become datetimes as there)."""
    return con.execute(sql).to_arrow_table().to_pandas(date_as_object=False)


def _count(con: duckdb.DuckDBPyConnection, database: str, relation: str) -> int | None:
    schema, table = relation.split(".", 1)
    try:
        return con.execute(f"select count(*) from {ident(database)}.{ident(schema)}.{ident(table)}").fetchone()[0]
    except duckdb.CatalogException:
        return None


def _lead_volume(con: duckdb.DuckDBPyConnection, database: str) -> int | None:
    try:
        return con.execute(
            f"select sum(leads) from {ident(database)}.kpi.kpi_funnel_overview "
            "where basis = 'cohort' and period_grain = 'month' and lead_quality = 'all'"
        ).fetchone()[0]
    except duckdb.CatalogException:
        return None


def comparison_frame(con: duckdb.DuckDBPyConnection, published: Path) -> Frame:
    """Row counts and lead volume now (this connection's warehouse) and in the live
    published version (attached read-only; none before the first publish)."""
    database = con.execute("select current_database()").fetchone()[0]
    live = published / layout.DATABASE
    has_previous = live.exists()
    if has_previous:
        con.execute(f"attach {literal(str(live))} as {_PUBLISHED} (read_only)")
    try:
        rows = []
        for relation in published_relations(con, database):
            if relation.name.startswith(parameters.VOLUME_TABLE_PREFIXES):
                previous = _count(con, _PUBLISHED, relation.qualified) if has_previous else None
                rows.append(
                    (
                        f"{relation.qualified} rows",
                        relation.qualified,
                        _count(con, database, relation.qualified),
                        previous,
                    )
                )
        lead_previous = _lead_volume(con, _PUBLISHED) if has_previous else None
        rows.append(
            (parameters.LEAD_VOLUME_METRIC, "kpi.kpi_funnel_overview", _lead_volume(con, database), lead_previous)
        )
    finally:
        if has_previous:
            con.execute(f"detach {_PUBLISHED}")
    data = pd.DataFrame(rows, columns=["metric", "relation", "current", "previous"])
    data["ratio"] = [
        c / p if c is not None and p else None for c, p in zip(data["current"], data["previous"], strict=True)
    ]
    data["ratio"] = data["ratio"].astype("float64")
    reads = (
        f"{len(data)} metrics against build {layout.current_build_id(published)}"
        if has_previous
        else (f"{len(data)} metrics; nothing published yet, so nothing to compare")
    )
    return Frame(data, reads, index_columns=("relation", "metric"))


@dataclass(frozen=True)
class Failure:
    expectation: str
    column: str | None
    severity: str
    observed: Any
    notes: str | None
    rows: tuple[dict[str, Any], ...] = ()  # the failing rows, named by the frame's index columns

    def __str__(self) -> str:
        on = f" on {self.column}" if self.column else ""
        return f"[{self.severity}] {self.expectation}{on}: {self.observed}"


@dataclass(frozen=True)
class Outcome:
    """One suite's result, as the asset check reports it."""

    suite: str
    guards: str
    reads: str
    rows: int
    seconds: float
    failures: list[Failure] = field(default_factory=list)
    skipped: str | None = None

    @property
    def passed(self) -> bool:
        """No critical expectation failed (warnings are reported, they do not block)."""
        return not any(f.severity == parameters.CRITICAL for f in self.failures)


def _error(exception_info: dict[str, Any]) -> str:
    """GX nests metric errors by metric id; the last line of the first one says what broke."""
    infos = [exception_info] if "exception_message" in exception_info else list(exception_info.values())
    for info in infos:
        if isinstance(info, dict) and info.get("exception_message"):
            return str(info["exception_message"]).strip().splitlines()[-1]
    return "the expectation raised an error"


def _observed(result: dict[str, Any]) -> Any:
    """What GX saw, short: the observed value, or the unexpected values and their count."""
    if result.get("details", {}).get("mismatched"):
        return result["details"]["mismatched"]
    if "observed_value" in result:
        return result["observed_value"]
    shown = result.get("unexpected_index_list") or result.get("partial_unexpected_counts")
    return {"unexpected": result.get("unexpected_count"), "share": result.get("unexpected_percent"), "examples": shown}


class QualityRunner:
    """A GX context for one step: validate suites, then build Data Docs once."""

    def __init__(self, home: Path, run_name: str) -> None:
        self.home = home
        self.run_name = run_name
        self._validations: list[Any] = []  # GX resource identifiers of the pages to render

    @cached_property
    def context(self) -> AbstractDataContext:
        import_great_expectations()
        context = data_docs.runtime_context(self.home)
        context.data_sources.add_or_update_pandas("warehouse")
        return context

    def validate(self, suite: dict[str, Any], frame: Frame, values: dict[str, Any]) -> Outcome:
        """Run one suite (a JSON dict as committed) on a frame."""
        gx = import_great_expectations()
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        name, guards = suite["name"], suite["meta"]["guards"]
        started = time.monotonic()
        if frame.data.empty and suite["meta"]["frame"].get("skip_if_empty"):
            return Outcome(name, guards, frame.reads, 0, 0.0, skipped="no rows to judge yet")
        context = self.context
        gx_suite = context.suites.add_or_update(gx.ExpectationSuite(**{k: v for k, v in suite.items() if k != "id"}))
        source = context.data_sources.get("warehouse")
        asset = source.add_dataframe_asset(name) if name not in source.get_asset_names() else source.get_asset(name)
        batch = (
            asset.batch_definitions[0]
            if asset.batch_definitions
            else asset.add_batch_definition_whole_dataframe("frame")
        )
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
        )
        run_id = RunIdentifier(run_name=self.run_name, run_time=datetime.now(UTC))
        result_format: dict[str, Any] = {"result_format": "SUMMARY"}
        if frame.index_columns:  # small frames: list every failing row by name
            result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": list(frame.index_columns)}
        result = definition.run(
            batch_parameters={"dataframe": frame.data},
            expectation_parameters=values,
            result_format=result_format,
            run_id=run_id,
        )
        suite_id = ExpectationSuiteIdentifier(name)  # its page too: the index links to it
        self._validations += [suite_id, ValidationResultIdentifier(suite_id, run_id, result.batch_id)]
        failures = [
            Failure(
                expectation=r.expectation_config.type,
                column=r.expectation_config.kwargs.get("column"),
                severity=str(getattr(r.expectation_config.severity, "value", r.expectation_config.severity)),
                observed=_observed(r.result) if r.result else _error(r.exception_info or {}),
                notes=r.expectation_config.notes,
                rows=tuple(r.result.get("unexpected_index_list") or ()),
            )
            for r in result.results
            if not r.success
        ]
        return Outcome(name, guards, frame.reads, len(frame.data), time.monotonic() - started, failures)

    def build_docs(self) -> Path | None:
        """Render this step's suite and validation pages and the index; return the index path."""
        return data_docs.build(self.context, self.home, self._validations) if self._validations else None
