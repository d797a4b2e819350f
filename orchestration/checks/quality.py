"""Great Expectations suites as blocking Dagster asset checks on the assets they guard.

Two steps, each one GX context and one read-only DuckDB connection:
- `raw_extract_expectations`: a check per raw extract (suites `raw.*`), after the
  ingestion. dbt does not wait for them (dagster-dbt's source tests on the same assets
  exempt the dbt step), so they gate the publish step, which depends on the raw assets.
- `mart_expectations`: on the marts and KPI marts, after dbt and before the publish
  step: the distribution suites of the assets they name, and `volume_vs_last_publish`
  on every published kpi_/fct_/dim_ table (one comparison, reported per table).

Every check is `blocking`: a failed critical expectation fails with ERROR severity and
Dagster skips the publish step downstream. Warning expectations report with WARN
severity and block nothing. GX is imported only when a check runs.

Every run that holds both the dbt step and the raw check step validates the raw
extracts ahead: the dbt step calls `validate_raw_extracts_ahead` before it starts dbt
(ingestion is done, dbt has not yet opened the warehouse), which reads their frames and
has GX validate them in a thread while dbt builds, in a subprocess the run only waits
for. The raw check step then reports those outcomes. Nothing writes the raw tables
between ingestion and that step, so the outcomes are those the step would compute
itself, which it does when no validation ran ahead for its run and warehouse.
"""

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    MetadataValue,
    multi_asset_check,
)

from orchestration import config
from orchestration.assets.raw import raw_key
from orchestration.publish.build import PUBLISHED_SCHEMAS
from orchestration.quality.parameters import VOLUME_SUITE, VOLUME_TABLE_PREFIXES, expectation_parameters
from orchestration.quality.validate import (
    Frame,
    Outcome,
    QualityRunner,
    comparison_frame,
    import_great_expectations_in_background,
    load_suites,
    read_frame,
)
from orchestration.resources import WarehouseResource

SUITE_CHECK = "great_expectations"
VOLUME_CHECK = "volume_vs_last_publish"
_TABLE_NAME = "dagster/table_name"


def _relation(table_name: str) -> str:
    """`fukan.kpi.kpi_benchmarks` (dagster-dbt's table name) -> `kpi.kpi_benchmarks`."""
    return ".".join(table_name.split(".")[-2:])


def published_asset_keys(dbt_assets: AssetsDefinition) -> dict[str, AssetKey]:
    """The dbt assets whose relations are published (schemas marts and kpi), by relation."""
    keys = {}
    for spec in dbt_assets.specs:
        table = spec.metadata.get(_TABLE_NAME)
        if table is not None and _relation(str(table)).split(".")[0] in PUBLISHED_SCHEMAS:
            keys[_relation(str(table))] = spec.key
    return keys


def _result(
    outcome: Outcome, asset_key: AssetKey, name: str, docs: Path | None, extra: Mapping[str, Any] | None = None
) -> AssetCheckResult:
    """Failed critical expectations -> ERROR (blocks downstream); only warnings -> WARN."""
    warned_only = outcome.failures and outcome.passed
    severity = AssetCheckSeverity.WARN if warned_only else AssetCheckSeverity.ERROR
    metadata: dict[str, Any] = {
        "suite": outcome.suite,
        "reads": outcome.reads,
        "rows_validated": outcome.rows,
        "seconds": round(outcome.seconds, 2),
        "failed_expectations": MetadataValue.json([str(f) for f in outcome.failures]),
    }
    if outcome.skipped:
        metadata["skipped"] = outcome.skipped
    if docs is not None:
        metadata["data_docs"] = MetadataValue.path(str(docs))
    metadata.update(extra or {})
    return AssetCheckResult(
        asset_key=asset_key,
        check_name=name,
        passed=not outcome.failures,
        severity=severity,
        metadata=metadata,
        description="; ".join(str(f) for f in outcome.failures) or None,
    )


def _volume_results(
    outcome: Outcome, frame: Frame, keys: Mapping[str, AssetKey], docs: Path | None
) -> Iterator[AssetCheckResult]:
    """Split the one comparison into a result per published table, naming its own figures."""
    for relation, key in keys.items():
        mine = [f for f in outcome.failures if any(row.get("relation") == relation for row in f.rows)]
        figures = frame.data[frame.data["relation"] == relation]
        own = Outcome(outcome.suite, relation, outcome.reads, len(figures), outcome.seconds, mine)
        records = json.loads(figures.drop(columns="relation").to_json(orient="records"))
        yield _result(own, key, VOLUME_CHECK, docs, {"figures": MetadataValue.json(records)})


Outcomes = dict[str, Outcome]

# One GX validation at a time in this process: the raw extracts' validation ahead runs in
# a thread, and a check step may start its own before that thread is done.
_GX_LOCK = threading.Lock()


def _read_frames(warehouse: Path, suite_names: Sequence[str]) -> dict[str, Frame]:
    """Each named suite's frame, on one read-only connection."""
    suites = load_suites()
    frames = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")  # the step's stdout is the run's log
        for name in suite_names:
            frame = suites[name]["meta"]["frame"]
            frames[name] = (
                comparison_frame(con, config.published_dir(warehouse))
                if frame.get("kind") == "comparison"
                else read_frame(con, frame)
            )
    return frames


def _validate(home: Path, run_id: str, frames: Mapping[str, Frame]) -> tuple[Outcomes, Path | None]:
    """Validate each frame with its suite in one GX context; build Data Docs once. The
    outcomes do not hold the frames, so a caller that drops them frees their memory."""
    suites = load_suites()
    runner = QualityRunner(home, run_id)
    values = expectation_parameters()
    with _GX_LOCK:
        outcomes = {name: runner.validate(suites[name], frame, values) for name, frame in frames.items()}
        return outcomes, runner.build_docs()


def _log_outcomes(context: AssetCheckExecutionContext, outcomes: Outcomes, when: str = "") -> None:
    for name, outcome in outcomes.items():
        context.log.info(
            f"{name}: {'passed' if outcome.passed else 'FAILED'} on {outcome.rows:,} rows "
            f"in {outcome.seconds:.1f}s{when}" + "".join(f"\n  {f}" for f in outcome.failures)
        )


def _run_suites(
    context: AssetCheckExecutionContext, warehouse: Path, suite_names: Sequence[str]
) -> tuple[Outcomes, dict[str, Frame], Path | None]:
    """Read and validate the named suites' frames now, in this step."""
    frames = _read_frames(warehouse, suite_names)
    outcomes, docs = _validate(Path(context.instance.root_directory), context.op_execution_context.run_id, frames)
    _log_outcomes(context, outcomes)
    return outcomes, frames, docs


@dataclass(frozen=True)
class _Ahead:
    """The raw extracts' validation started ahead for one run."""

    run_id: str
    result: Future[tuple[Outcomes, Path | None]]


# By warehouse: the raw check step takes its run's entry; a run that never reached that
# step leaves one entry, which the warehouse's next run replaces.
_AHEAD: dict[Path, _Ahead] = {}
RAW_CHECK_STEP = "raw_extract_expectations"


def _raw_suite_names() -> list[str]:
    return [name for name in load_suites() if name.startswith(f"{config.RAW_SCHEMA}.")]


def validate_raw_extracts_ahead(warehouse: Path, home: Path, run_id: str) -> None:
    """Read every raw suite's frame now and validate them in a thread; the raw check step
    of `run_id` on `warehouse` reports the outcomes. Call it when the raw tables are loaded
    and the warehouse is free (no writer in another process).

    Frames are bounded samples (each suite's `max_rows`), freed once validated, while
    dbt still builds. When they cannot be read (a table missing, the warehouse locked),
    nothing runs ahead: GX is only imported in the background, and the check step reads,
    validates and reports the error itself.
    """
    warehouse = Path(warehouse)
    _AHEAD.pop(warehouse, None)
    try:
        frames = _read_frames(warehouse, _raw_suite_names())
    except Exception:
        import_great_expectations_in_background()
        return
    result: Future[tuple[Outcomes, Path | None]] = Future()

    def validate() -> None:
        try:
            result.set_result(_validate(Path(home), run_id, frames))
        except BaseException as error:
            result.set_exception(error)

    _AHEAD[warehouse] = _Ahead(run_id, result)
    threading.Thread(target=validate, name="validate-raw-extracts", daemon=True).start()


def validate_raw_extracts_for_this_run(context: AssetExecutionContext, warehouse: Path) -> None:
    """From the dbt step: validate the raw extracts ahead when this run's raw check step
    will report them."""
    if context.job_def.graph.has_node_named(RAW_CHECK_STEP):
        validate_raw_extracts_ahead(warehouse, Path(context.instance.root_directory), context.run.run_id)


def _spec(name: str, key: AssetKey, suite: str, notes: str) -> AssetCheckSpec:
    return AssetCheckSpec(
        name, asset=key, blocking=True, description=f"GX suite {suite}: {notes}", metadata={"suite": suite}
    )


def _raw_specs() -> list[AssetCheckSpec]:
    suites = load_suites()
    return [
        _spec(SUITE_CHECK, raw_key(suites[name]["meta"]["guards"].split(".", 1)[1]), name, suites[name]["notes"])
        for name in _raw_suite_names()
    ]


@multi_asset_check(
    specs=_raw_specs(),
    name=RAW_CHECK_STEP,
    can_subset=True,
    description="Great Expectations suites on the raw extracts: contract columns, plausible times, seed domains.",
)
def raw_extract_expectations(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[AssetCheckResult]:
    suites = {f"{config.RAW_SCHEMA}.{key.asset_key.path[-1]}": key for key in context.selected_asset_check_keys}
    ahead = _AHEAD.pop(warehouse.warehouse, None)
    validated_ahead = ahead is not None and ahead.run_id == context.op_execution_context.run_id
    if validated_ahead:
        validated, docs = ahead.result.result()
        outcomes = {name: validated[name] for name in sorted(suites)}
        _log_outcomes(context, outcomes, " (validated while dbt built)")
    else:
        outcomes, _frames, docs = _run_suites(context, warehouse.warehouse, sorted(suites))
    for name, outcome in outcomes.items():
        yield _result(outcome, suites[name].asset_key, SUITE_CHECK, docs, {"validated_ahead": validated_ahead})


def build_mart_expectations(dbt_assets: AssetsDefinition) -> AssetChecksDefinition:
    """The mart and KPI checks for the published assets of this dbt project."""
    keys = published_asset_keys(dbt_assets)
    suites = load_suites()
    guarded = {name: keys[s["meta"]["guards"]] for name, s in suites.items() if s["meta"]["guards"] in keys}
    compared = {r: key for r, key in keys.items() if r.split(".")[1].startswith(VOLUME_TABLE_PREFIXES)}
    specs = [
        *(_spec(SUITE_CHECK, key, name, suites[name]["notes"]) for name, key in guarded.items()),
        *(_spec(VOLUME_CHECK, key, VOLUME_SUITE, suites[VOLUME_SUITE]["notes"]) for key in compared.values()),
    ]

    @multi_asset_check(
        specs=specs,
        name="mart_expectations",
        can_subset=True,
        description="Great Expectations suites on the marts: distribution bands and volume against the last publish.",
    )
    def mart_expectations(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[AssetCheckResult]:
        selected: set[AssetCheckKey] = set(context.selected_asset_check_keys)
        names = [name for name, key in guarded.items() if AssetCheckKey(key, SUITE_CHECK) in selected]
        volume_keys = {r: k for r, k in compared.items() if AssetCheckKey(k, VOLUME_CHECK) in selected}
        outcomes, frames, docs = _run_suites(
            context, warehouse.warehouse, names + ([VOLUME_SUITE] if volume_keys else [])
        )
        for name in names:
            yield _result(outcomes[name], guarded[name], SUITE_CHECK, docs)
        if volume_keys:
            yield from _volume_results(outcomes[VOLUME_SUITE], frames[VOLUME_SUITE], volume_keys, docs)

    return mart_expectations
