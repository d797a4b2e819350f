"""`make bench`: time a full, a one-day incremental and a no-op refresh against two references.

For each size, on the same generated extracts:

  prepare        `dbt parse` for the new warehouse path (dbt's parse state is tied to the
                 profile, which names the file), as `make install` does for the default
                 one; timed on its own, not part of any refresh
  full refresh   a fresh warehouse and Dagster instance, the landing folder holding only
                 the `_full` snapshot files; `fukan run --timings-json` in a subprocess
  floor          bench/floor.sql: one DuckDB script from the raw files to the monthly
                 cohort overview by lead quality, the least work anyone could do
  pandas         bench/pandas_overview.py: the same overview in pandas
  incremental    the next day's `_delta` files added to the landing folder, `fukan run`
                 again on the same warehouse
  nothing new    `fukan run` once more, with no new file: what a refresh costs whatever
                 the delta (the part of the incremental refresh that does not shrink
                 with a smaller delta)

Every figure printed is measured in this run (generation is measured once, when the
cache is built, and read back from its marker). Wall seconds and peak RSS of the whole
process tree come from bench/measure.py; the pipeline's step times come from Dagster's
step events (`--timings-json`), dbt's time per kind of node from the `run_results.json`
its build leaves (bench/dbt_nodes.py). The floor's and pandas' overviews are compared cell by
cell with the published kpi_funnel_overview (cohort basis, month grain).

    python -m bench.run --sizes small
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python bench/run.py` as well as `python -m bench.run`
    sys.path.insert(0, str(REPO))

from bench.compare import agreement, read_csv_overview, read_published_overview  # noqa: E402
from bench.dbt_nodes import build_summary  # noqa: E402
from bench.measure import Measured, run_measured  # noqa: E402

SIZES = {"small": 20_000, "medium": 200_000, "large": 1_000_000}
SEED = 7
MARKER = ".generated.json"
WORK_MARKER = ".fukan-bench-work"
GIB = 2**30

# Dagster step keys of the refresh job, grouped into the stages the table shows.
STAGES = {
    "ingest": ["raw_crm_extracts"],
    "dbt build": ["fukan_dbt_models"],
    "checks": ["raw_extract_expectations", "mart_expectations"],
    # The report and dbt docs are written inside the published version, in this step.
    "publish": ["published_warehouse"],
}

TARGETS = {
    "large_full_vs_floor": 3.0,  # full refresh within 3x the floor's time
    "large_full_seconds": 240.0,  # and under 4 minutes
    "peak_rss_bytes": 6 * GIB,
    "large_incremental_share": 0.10,  # one-day incremental under 10% of the full refresh
    "small_make_run_seconds": 45.0,
}

# The runs of the pipeline itself (the others are references).
PIPELINE_RUNS = ("full", "incremental", "nothing new")

_STARTED = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f}s] {message}", flush=True)


def _heartbeat(label: str):
    def beat(elapsed: float, rss: int) -> None:
        say(f"  ... {label}: {elapsed:.0f} s so far, RSS {rss / GIB:.2f} GiB")

    return beat


# --- generated extracts (cached) -----------------------------------------------------------


def _row_counts(summary_text: str) -> dict[str, int]:
    """Object row counts from the summary `fukan demo-data` prints (`  lead   20,400`)."""
    rows: dict[str, int] = {}
    for line in summary_text.splitlines():
        parts = line.split()
        if len(parts) == 2 and line.startswith("  ") and parts[1].replace(",", "").isdigit():
            rows[parts[0]] = int(parts[1].replace(",", ""))
    return rows


def generator_fingerprint() -> str:
    """Hash of the demo generator's code: cached extracts from another generator are stale."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "orchestration" / "demo_data").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_extracts(size: str, cache_dir: Path, work: Path, reuse_unmarked: bool) -> dict[str, Any]:
    """The size's extracts, generated once per generator version: `<cache-dir>/<size>/`
    plus its marker file."""
    folder = cache_dir / size
    marker = folder / MARKER
    if marker.exists():
        generation = json.loads(marker.read_text(encoding="utf-8"))
        if not generation.get("adopted") and generation.get("generator") != generator_fingerprint():
            say(f"{size}: the cached extracts in {folder} come from another demo generator: regenerating")
            shutil.rmtree(folder)
            return ensure_extracts(size, cache_dir, work, reuse_unmarked)
        say(
            f"{size}: extracts cached in {folder} (generated {generation['generated_at']} "
            f"in {generation['seconds']:.1f} s)"
            if generation.get("seconds") is not None
            else f"{size}: extracts cached in {folder} (generation time not measured)"
        )
        return {**generation, "cached": True}
    if folder.exists() and any(folder.iterdir()):
        if not reuse_unmarked:
            raise SystemExit(
                f"{folder} holds files but no {MARKER}: a generation was interrupted, or another tool "
                f"wrote them. Delete the folder to regenerate it, or pass --reuse-unmarked to use the "
                f"files as they are (the generation time is then not measured)."
            )
        generation = {
            "size": size,
            "leads": SIZES[size],
            "seed": None,
            "generated_at": None,
            "seconds": None,
            "peak_rss_bytes": None,
            "rows": {},
            "adopted": True,
        }
        marker.write_text(json.dumps(generation, indent=2) + "\n", encoding="utf-8")
        say(f"{size}: using the unmarked extracts in {folder} as they are (generation not measured)")
        return {**generation, "cached": True}
    leads = SIZES[size]
    command = [
        sys.executable,
        "-m",
        "orchestration.cli",
        "demo-data",
        "--leads",
        str(leads),
        "--out",
        str(folder),
        "--seed",
        str(SEED),
        "--quiet",
    ]
    say(f"{size}: generating extracts ({leads:,} leads) into {folder} ...")
    measured = run_measured(
        command, work / "logs" / "generation.log", cwd=REPO, env=_env(), heartbeat=_heartbeat("generation")
    )
    if not measured.ok:
        raise SystemExit(f"generation failed ({measured.log_path}):\n{measured.tail()}")
    generation = {
        "size": size,
        "leads": leads,
        "seed": SEED,
        "generated_at": _now(),
        "seconds": round(measured.seconds, 3),
        "peak_rss_bytes": measured.peak_rss_bytes,
        "rows": _row_counts(measured.log_path.read_text(encoding="utf-8")),
        "command": " ".join(command[1:]),
        "generator": generator_fingerprint(),
    }
    marker.write_text(json.dumps(generation, indent=2) + "\n", encoding="utf-8")
    say(f"{size}: generated in {measured.seconds:.1f} s (peak RSS {measured.peak_rss_bytes / GIB:.2f} GiB)")
    return {**generation, "cached": False}


# --- the landing folder: links into the cache -------------------------------------------------


def _extract_files(cache: Path) -> list[Path]:
    return sorted(
        p
        for p in cache.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(cache).parts)
    )


def _is_delta(path: Path) -> bool:
    return "_delta" in path.name


def link_extracts(cache: Path, landing: Path, deltas: bool) -> int:
    """Hard-link the snapshot files (or the delta files) of the cache into `landing`: the
    ingest follows no symbolic link out of its landing folder. Copied across devices."""
    linked = 0
    for source in _extract_files(cache):
        if _is_delta(source) != deltas:
            continue
        target = landing / source.relative_to(cache)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:  # another file system
            shutil.copy2(source, target)
        linked += 1
    return linked


# --- measured runs ---------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FUKAN_LANDING_DIR", "FUKAN_WAREHOUSE")}
    env.update({"DO_NOT_TRACK": "1", "PYTHONUNBUFFERED": "1", **extra})
    return env


def _folder_bytes(folder: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(root) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def _published_bytes(warehouse: Path) -> int | None:
    """Size of the live published version (not the older versions kept beside it)."""
    published = warehouse.parent / "published"
    current = published / "current"
    if current.exists():
        return _folder_bytes(current.resolve())
    return _folder_bytes(published) if published.exists() else None


def _warehouse_bytes(warehouse: Path) -> int | None:
    files = [warehouse, warehouse.with_name(warehouse.name + ".wal")]
    sizes = [f.stat().st_size for f in files if f.exists()]
    return sum(sizes) if sizes else None


def _stage_seconds(steps: dict[str, float]) -> dict[str, float]:
    stages = {name: round(sum(steps.get(k, 0.0) for k in keys), 3) for name, keys in STAGES.items()}
    known = {k for keys in STAGES.values() for k in keys}
    stages["other steps"] = round(sum(v for k, v in steps.items() if k not in known), 3)
    return stages


def _measured_fields(measured: Measured) -> dict[str, Any]:
    return {
        "seconds": round(measured.seconds, 3),
        "cpu_seconds": round(measured.cpu_seconds, 3) if measured.cpu_seconds is not None else None,
        "load_average_start_end": measured.load_average,
        "peak_rss_bytes": measured.peak_rss_bytes,
        "returncode": measured.returncode,
        "killed_because": measured.killed_because,
        "log": str(measured.log_path),
    }


def _dbt_target() -> Path:
    """The folder every dbt command of the pipeline writes to (its `dbt build` included)."""
    from orchestration.dbt_project import build_target_path  # imports dagster-dbt: only when timing

    return build_target_path()


def pipeline_run(label: str, landing: Path, warehouse: Path, dagster_home: Path, logs: Path) -> dict[str, Any]:
    """`fukan run` in a subprocess: wall time, peak RSS of the tree, step times, sizes."""
    slug = label.replace(" ", "-")
    timings_path = logs / f"{slug}.timings.json"
    command = [
        sys.executable,
        "-m",
        "orchestration.cli",
        "run",
        "--landing",
        str(landing),
        "--warehouse",
        str(warehouse),
        "--quiet",
        "--timings-json",
        str(timings_path),
    ]
    say(f"  {label}: fukan run ...")
    started = time.time()
    measured = run_measured(
        command, logs / f"{slug}.log", cwd=REPO, env=_env(DAGSTER_HOME=str(dagster_home)), heartbeat=_heartbeat(label)
    )
    timings = json.loads(timings_path.read_text(encoding="utf-8")) if timings_path.exists() else {}
    steps = timings.get("steps", {})
    result = {
        **_measured_fields(measured),
        "success": measured.ok and bool(timings.get("success")),
        "stages": _stage_seconds(steps),
        "steps": steps,
        "load_definitions_seconds": timings.get("load_definitions_seconds"),
        # Interpreter start, imports, Dagster's run setup and bookkeeping between steps.
        "overhead_seconds": round(
            measured.seconds - sum(steps.values()) - (timings.get("load_definitions_seconds") or 0.0), 3
        ),
        "rows_loaded": timings.get("rows_loaded"),
        "rows_per_second": (
            round(timings["rows_loaded"] / measured.seconds, 1) if timings.get("rows_loaded") is not None else None
        ),
        "checks_passed": timings.get("checks_passed"),
        "checks_failed": timings.get("checks_failed"),
        "warehouse_bytes": _warehouse_bytes(warehouse),
        "published_bytes": _published_bytes(warehouse),
        "dbt_build": build_summary(_dbt_target(), started),
    }
    state = "done" if result["success"] else "FAILED (see the log)"
    say(
        f"  {label}: {state} in {measured.seconds:.1f} s, peak RSS {measured.peak_rss_bytes / GIB:.2f} GiB, "
        f"{result['rows_loaded'] or 0:,} rows loaded, checks {result['checks_passed']} passed / "
        f"{result['checks_failed']} failed"
    )
    if not result["success"]:
        print(measured.tail(), flush=True)
    return result


def prepare_run(warehouse: Path, logs: Path) -> dict[str, Any]:
    """`dbt parse` for this warehouse path, in a subprocess, before any timed refresh.

    dbt ties its partial parse state to the profile, which names the warehouse file, so
    the first build on a new path parses the whole project. `make install` does this
    once for the default warehouse; a deployment does it once per warehouse. Timed and
    reported on its own, outside the refreshes' end to end.
    """
    command = [
        sys.executable,
        "-c",
        "from orchestration.dbt_project import ensure_manifest; ensure_manifest(force=True)",
    ]
    say("  prepare: dbt parse for this warehouse path ...")
    measured = run_measured(
        command,
        logs / "prepare.log",
        cwd=REPO,
        env=_env(FUKAN_WAREHOUSE=str(warehouse)),
        heartbeat=_heartbeat("prepare"),
    )
    if not measured.ok:
        print(measured.tail(), flush=True)
        raise SystemExit(f"dbt parse failed; log {measured.log_path}")
    say(f"  prepare: done in {measured.seconds:.1f} s")
    return {**_measured_fields(measured), "success": True}


def reference_run(
    label: str, module: str, landing: Path, out: Path, logs: Path, timeout: float, max_rss_bytes: int
) -> dict[str, Any]:
    """A reference (floor or pandas) in its own process; its overview goes to `out`."""
    command = [sys.executable, "-m", module, "--landing", str(landing), "--out", str(out)]
    say(f"  {label}: {module} ...")
    measured = run_measured(
        command,
        logs / f"{label.replace(' ', '-')}.log",
        cwd=REPO,
        env=_env(),
        timeout=timeout,
        max_rss_bytes=max_rss_bytes,
        heartbeat=_heartbeat(label),
    )
    result = {**_measured_fields(measured), "success": measured.ok, "output": str(out)}
    if measured.ok:
        say(f"  {label}: done in {measured.seconds:.1f} s, peak RSS {measured.peak_rss_bytes / GIB:.2f} GiB")
    else:
        why = measured.killed_because or f"exit code {measured.returncode}"
        say(f"  {label}: FAILED ({why}) after {measured.seconds:.1f} s; log {measured.log_path}")
        print(measured.tail(), flush=True)
    return result


# --- one size -------------------------------------------------------------------------------


def _fresh_size_dir(work: Path, size: str) -> Path:
    folder = work / size
    if folder.exists():
        if not (folder / WORK_MARKER).exists():
            raise SystemExit(f"{folder} exists and was not made by the benchmark: choose another --work-dir")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / WORK_MARKER).touch()
    return folder


def _compare(label: str, reference: dict[str, Any] | None, published: Any) -> dict[str, Any] | None:
    if not reference or not reference.get("success"):
        return None
    result = agreement(read_csv_overview(Path(reference["output"])), published)
    say(
        f"  agreement {label}: {result['cells_agree']:,} of {result['cells']:,} (month, quality, step) cells "
        f"agree exactly; won amount in {result['amounts_agree']} of {result['amount_cells']} (month, quality)"
    )
    for line in result["examples"]:
        say(f"    differs: {line}")
    return result


def bench_size(size: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    leads = SIZES[size]
    say(f"== {size}: {leads:,} leads ==")
    folder = _fresh_size_dir(work, size)
    logs = folder / "logs"
    generation = ensure_extracts(size, args.cache_dir, folder, args.reuse_unmarked)
    cache = args.cache_dir / size
    landing, warehouse = folder / "landing", folder / "warehouse" / "fukan.duckdb"
    home = folder / "dagster_home"
    if args.dagster_home_root is not None:
        home = Path(tempfile.mkdtemp(prefix=f"fukan-bench-{size}-", dir=args.dagster_home_root))
    say(f"{size}: landing {landing}: {link_extracts(cache, landing, deltas=False)} snapshot files linked")

    prepare = prepare_run(warehouse, logs)
    runs: dict[str, Any] = {"full": pipeline_run("full refresh", landing, warehouse, home, logs)}
    published = read_published_overview(warehouse) if runs["full"]["success"] else None
    agreements: dict[str, Any] = {}
    if not args.skip_references:
        runs["floor"] = reference_run(
            "floor",
            "bench.floor",
            landing,
            folder / "floor_overview.csv",
            logs,
            args.reference_timeout,
            int(args.reference_max_rss_gib * GIB),
        )
        if leads > args.pandas_max_leads:
            reason = (
                f"skipped: {leads:,} leads is more than --pandas-max-leads {args.pandas_max_leads:,} "
                f"(tests/pandas_reference.Reference holds every extract in memory as text)"
            )
            say(f"  pandas: {reason}")
            runs["pandas"] = {"success": False, "skipped": reason}
        else:
            runs["pandas"] = reference_run(
                "pandas",
                "bench.pandas_overview",
                landing,
                folder / "pandas_overview.csv",
                logs,
                args.reference_timeout,
                int(args.reference_max_rss_gib * GIB),
            )
        if published is not None:
            agreements["floor vs full refresh"] = _compare("floor vs full refresh", runs["floor"], published)
            agreements["pandas vs full refresh"] = _compare("pandas vs full refresh", runs.get("pandas"), published)

    if not args.skip_incremental and runs["full"]["success"]:
        say(f"{size}: landing: {link_extracts(cache, landing, deltas=True)} delta files (the next day) added")
        runs["incremental"] = pipeline_run("incremental", landing, warehouse, home, logs)
        if not args.skip_references and runs["incremental"]["success"]:
            # Not timed against anything: the floor again on snapshot + delta, to check that
            # the incremental refresh gives what a computation from scratch gives.
            check = reference_run(
                "floor after delta",
                "bench.floor",
                landing,
                folder / "floor_overview_delta.csv",
                logs,
                args.reference_timeout,
                int(args.reference_max_rss_gib * GIB),
            )
            runs["floor after delta"] = check
            agreements["floor vs incremental"] = _compare(
                "floor vs incremental", check, read_published_overview(warehouse)
            )
        if not args.skip_nothing_new and runs["incremental"]["success"]:
            runs["nothing new"] = pipeline_run("nothing new", landing, warehouse, home, logs)

    if args.dagster_home_root is not None and not args.keep_work_dir:
        shutil.rmtree(home, ignore_errors=True)
    result = {
        "size": size,
        "leads": leads,
        "generation": generation,
        "prepare": prepare,
        "runs": runs,
        "dagster_home": str(home),
        "agreement": {k: v for k, v in agreements.items() if v is not None},
    }
    result["ratios"] = ratios(runs)
    result["targets"] = targets(size, generation, runs, result["ratios"])
    return result


# --- ratios, targets, table ---------------------------------------------------------------------


def _seconds(runs: dict[str, Any], name: str) -> float | None:
    run = runs.get(name)
    return run["seconds"] if run and run.get("success") else None


def ratios(runs: dict[str, Any]) -> dict[str, float | None]:
    full = _seconds(runs, "full")

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 3) if a is not None and b else None

    return {
        "full_vs_floor": ratio(full, _seconds(runs, "floor")),
        "full_vs_pandas": ratio(full, _seconds(runs, "pandas")),
        "incremental_vs_full": ratio(_seconds(runs, "incremental"), full),
        "nothing_new_vs_full": ratio(_seconds(runs, "nothing new"), full),
    }


def _target(name: str, measured: float | None, limit: float, text: str) -> dict[str, Any]:
    status = "NOT MEASURED" if measured is None else ("PASS" if measured < limit else "FAIL")
    return {"target": name, "measured": measured, "limit": limit, "status": status, "text": text}


def targets(size: str, generation: dict[str, Any], runs: dict[str, Any], ratio: dict[str, Any]) -> list[dict[str, Any]]:
    full = _seconds(runs, "full")
    found = []
    pipeline_peaks = [r["peak_rss_bytes"] for k, r in runs.items() if k in PIPELINE_RUNS and r.get("success")]
    peak = max(pipeline_peaks) if pipeline_peaks else None
    found.append(
        _target(
            f"{size}: peak RSS of a refresh < 6 GiB",
            peak / GIB if peak else None,
            TARGETS["peak_rss_bytes"] / GIB,
            "GiB, whole process tree, every refresh",
        )
    )
    if size == "large":
        found.append(_target("large: full refresh < 4 min", full, TARGETS["large_full_seconds"], "s end to end"))
        found.append(
            _target(
                "large: full refresh within 3x the floor",
                ratio["full_vs_floor"],
                TARGETS["large_full_vs_floor"],
                "x the floor's wall time",
            )
        )
        found.append(
            _target(
                "large: one-day incremental < 10% of full",
                ratio["incremental_vs_full"],
                TARGETS["large_incremental_share"],
                "share of the full refresh's wall time",
            )
        )
    if size == "small":
        make_run = full + generation["seconds"] if full is not None and generation.get("seconds") is not None else None
        found.append(
            _target(
                "small: make run (generate demo extracts + full refresh) < 45 s",
                make_run,
                TARGETS["small_make_run_seconds"],
                "s: the cache's generation time plus this run's full refresh",
            )
        )
    return found


def _fmt_seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} s"


def _fmt_bytes(value: int | None) -> str:
    if value is None:
        return "-"
    return f"{value / GIB:.2f} GiB" if value >= GIB else f"{value / 2**20:,.0f} MiB"


_DBT_KINDS = ("incremental models", "table models", "view models", "data tests", "seeds", "hooks")


def _dbt_rows(runs: dict[str, Any], pipeline_only) -> list[tuple[str, Any]]:
    """`dbt build`'s own wall time, then thread-seconds (and nodes) per kind of node."""
    builds = [run["dbt_build"] for run in runs.values() if run.get("dbt_build")]
    if not builds:
        return []
    found = {kind for build in builds for kind in build["kinds"]}
    kinds = [k for k in _DBT_KINDS if k in found] + sorted(found - set(_DBT_KINDS))

    def per_kind(run: dict[str, Any], kind: str) -> str:
        totals = (run.get("dbt_build") or {}).get("kinds", {}).get(kind)
        return f"{totals['thread_seconds']:.1f} s ({totals['nodes']})" if totals else "-"

    rows = [
        (
            "dbt's own wall time",
            pipeline_only(lambda r: _fmt_seconds(r["dbt_build"]["elapsed_seconds"]) if r.get("dbt_build") else "-"),
        )
    ]
    rows += [(f"  {kind}, thread-s", pipeline_only(lambda r, k=kind: per_kind(r, k))) for kind in kinds]
    return rows


def table(result: dict[str, Any]) -> str:
    runs, generation = result["runs"], result["generation"]
    columns = ["full", "incremental", "nothing new", "floor", "pandas"]
    headers = ["full refresh", "incremental", "nothing new", "floor (SQL)", "pandas"]

    def cell(name: str, fn) -> str:
        run = runs.get(name)
        if run is None:
            return "not run"
        if run.get("skipped"):
            return "skipped"
        if not run.get("success"):
            return "FAILED"
        return fn(run)

    def pipeline_only(fn):
        return lambda name: cell(name, fn) if name in PIPELINE_RUNS else "-"

    gen_text = (
        (_fmt_seconds(generation.get("seconds")) + (" (cached)" if generation.get("cached") else ""))
        if generation.get("seconds") is not None
        else "not measured"
    )
    # Earlier versions of this script did not prepare: their dbt build step parsed.
    prepare = result.get("prepare")
    prepare_text = _fmt_seconds(prepare["seconds"]) if prepare else "in dbt build"
    rows: list[tuple[str, Any]] = [
        ("generation", lambda name: gen_text if name == "full" else "-"),
        ("prepare (dbt parse)", lambda name: prepare_text if name == "full" else "-"),
    ]
    # The stages a result recorded: older files also hold "docs+report", a step of its own then.
    recorded = next((list(r["stages"]) for r in runs.values() if r.get("stages")), list(STAGES))
    for stage in dict.fromkeys([*recorded, "other steps"]):
        rows.append((stage, pipeline_only(lambda r, s=stage: _fmt_seconds(r["stages"].get(s)))))
    rows += [
        ("load definitions", pipeline_only(lambda r: _fmt_seconds(r["load_definitions_seconds"]))),
        ("startup & overhead", pipeline_only(lambda r: _fmt_seconds(r["overhead_seconds"]))),
        ("end to end", lambda name: cell(name, lambda r: _fmt_seconds(r["seconds"]))),
        ("CPU time (user+sys)", lambda name: cell(name, lambda r: _fmt_seconds(r.get("cpu_seconds")))),
        (
            "load avg start/end",
            lambda name: cell(
                name,
                lambda r: (
                    "/".join(f"{x:.1f}" for x in r["load_average_start_end"])
                    if r.get("load_average_start_end")
                    else "-"
                ),
            ),
        ),
        ("peak RSS (tree)", lambda name: cell(name, lambda r: _fmt_bytes(r["peak_rss_bytes"]))),
        ("warehouse size", pipeline_only(lambda r: _fmt_bytes(r["warehouse_bytes"]))),
        ("published size", pipeline_only(lambda r: _fmt_bytes(r["published_bytes"]))),
        ("rows loaded", pipeline_only(lambda r: f"{r['rows_loaded']:,}" if r["rows_loaded"] is not None else "-")),
        ("rows/s", pipeline_only(lambda r: f"{r['rows_per_second']:,.0f}" if r["rows_per_second"] else "-")),
        *_dbt_rows(runs, pipeline_only),
    ]
    body = [[label, *(fn(name) for name in columns)] for label, fn in rows]
    widths = [max(len(str(r[i])) for r in [["stage", *headers], *body]) for i in range(len(headers) + 1)]

    def line(r):
        return (
            "  "
            + r[0].ljust(widths[0])
            + "".join("  " + str(v).rjust(w) for v, w in zip(r[1:], widths[1:], strict=True))
        )

    out = [
        f"{result['size']}: {result['leads']:,} leads",
        line(["stage", *headers]),
        "  " + "-" * (sum(widths) + 2 * len(headers)),
    ]
    out += [line(r) for r in body]
    r = result["ratios"]

    def fmt(v):
        return "-" if v is None else f"{v:.2f}"

    out.append(
        f"  ratios: full refresh / floor = {fmt(r['full_vs_floor'])}x, full refresh / pandas = "
        f"{fmt(r['full_vs_pandas'])}x, incremental / full refresh = {fmt(r['incremental_vs_full'])}, "
        f"nothing new / full refresh = {fmt(r.get('nothing_new_vs_full'))}"
    )
    for name, a in result["agreement"].items():
        out.append(
            f"  agreement {name}: {a['cells_agree']:,}/{a['cells']:,} cells exact, "
            f"won amount {a['amounts_agree']}/{a['amount_cells']}"
        )
    for name in PIPELINE_RUNS:
        build = (runs.get(name) or {}).get("dbt_build")
        if build:
            slowest = ", ".join(f"{n['node']} {n['seconds']:.1f} s" for n in build["slowest"])
            out.append(f"  slowest dbt nodes, {name}: {slowest}")
    for t in result["targets"]:
        measured = "-" if t["measured"] is None else f"{t['measured']:.2f}"
        out.append(f"  target {t['status']:<12} {t['target']}: {measured} (limit {t['limit']:g} {t['text']})")
    return "\n".join(out)


# --- the machine, the command line ----------------------------------------------------------------


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def machine() -> dict[str, Any]:
    def read(path: str) -> str:
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError:
            return ""

    cpu = next(
        (line.split(":", 1)[1].strip() for line in read("/proc/cpuinfo").splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    mem = next(
        (int(line.split()[1]) * 1024 for line in read("/proc/meminfo").splitlines() if line.startswith("MemTotal")),
        None,
    )
    versions = {}
    for package in ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "great-expectations", "pandas"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    commit = (
        subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        or None
    )
    dirty = bool(
        subprocess.run(["git", "-C", str(REPO), "status", "--porcelain"], capture_output=True, text=True).stdout.strip()
    )
    return {
        "date": _now(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_bytes": mem,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "versions": versions,
        "git_commit": commit,
        "git_dirty": dirty,
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default="small",
        help="comma-separated sizes to run, from "
        + ", ".join(f"{k} ({v:,} leads)" for k, v in SIZES.items())
        + " (default %(default)s)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=REPO / "bench" / ".cache",
        help="generated extracts, one folder per size, kept between runs; a size is generated "
        "only when its folder has no .generated.json marker (default bench/.cache)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="warehouses, Dagster instances, landing links and logs of this run "
        "(default: a new temporary folder, removed at the end unless --keep-work-dir)",
    )
    parser.add_argument("--keep-work-dir", action="store_true", help="keep the temporary work folder")
    parser.add_argument(
        "--dagster-home-root",
        type=Path,
        default=None,
        help="make each run's fresh DAGSTER_HOME in this folder instead of the work folder, "
        "e.g. /dev/shm to see what Dagster's SQLite event storage costs on disk "
        "(default: inside the work folder, on disk like `make run`'s .dagster_home)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        help="where to write the results as JSON (default bench/results/<UTC time>-<sizes>.json); "
        "the same JSON is printed at the end",
    )
    parser.add_argument("--skip-incremental", action="store_true", help="no one-day incremental refresh")
    parser.add_argument(
        "--skip-nothing-new", action="store_true", help="no third refresh with no new file after the incremental one"
    )
    parser.add_argument(
        "--skip-references",
        action="store_true",
        help="no floor and no pandas reference (and so no ratios and no agreement check)",
    )
    parser.add_argument(
        "--pandas-max-leads",
        type=int,
        default=200_000,
        help="skip the pandas reference above this many leads: it reads every extract into memory "
        "as text (default %(default)s; large is skipped)",
    )
    parser.add_argument(
        "--reference-timeout",
        type=float,
        default=1800,
        help="seconds after which a reference is stopped and reported as failed (default %(default)s)",
    )
    parser.add_argument(
        "--reference-max-rss-gib",
        type=float,
        default=8.0,
        help="stop a reference whose process tree holds more memory than this; the machine is "
        "shared (default %(default)s)",
    )
    parser.add_argument(
        "--show",
        type=Path,
        default=None,
        metavar="JSON",
        help="print the tables of an earlier run's results file and exit (runs nothing)",
    )
    parser.add_argument(
        "--reuse-unmarked",
        action="store_true",
        help="use a cache folder that holds extracts but no marker as it is, without timing its generation",
    )
    args = parser.parse_args(argv)
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in args.sizes if s not in SIZES]
    if unknown or not args.sizes:
        parser.error(f"unknown size(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SIZES)}")
    args.cache_dir = args.cache_dir.resolve()
    return args


def show(path: Path) -> int:
    document = json.loads(path.read_text(encoding="utf-8"))
    info = document["machine"]
    print(
        f"{path}: {info['date']}, {info['cores']} cores, {info['cpu']}, load average at start "
        f"{info['load_average_at_start']}, commit {info['git_commit']}{' (dirty)' if info['git_dirty'] else ''}\n"
    )
    for result in document["sizes"]:
        print(table(result))
        print()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.show:
        return show(args.show)
    info = machine()
    say(
        f"fukan benchmark: sizes {', '.join(args.sizes)}; {info['cores']} cores, {info['cpu']}; "
        f"load average {info['load_average_at_start']}"
    )
    temporary = args.work_dir is None
    work = Path(tempfile.mkdtemp(prefix="fukan-bench-")) if temporary else args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    say(f"work folder {work}; extracts cache {args.cache_dir}")
    results = []
    try:
        for size in args.sizes:
            results.append(bench_size(size, args, work))
            if temporary and not args.keep_work_dir:  # a large warehouse takes gigabytes: free them now
                shutil.rmtree(work / size, ignore_errors=True)
    finally:
        if temporary and not args.keep_work_dir:
            shutil.rmtree(work, ignore_errors=True)
    document = {
        "machine": info,
        "finished_at": _now(),
        "sizes": results,
        "targets": TARGETS,
        "work_dir": None if temporary and not args.keep_work_dir else str(work),
    }
    path = args.json or REPO / "bench" / "results" / (
        datetime.now(UTC).strftime("%Y%m%d-%H%M") + "-" + "-".join(args.sizes) + ".json"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    say(f"done in {time.perf_counter() - _STARTED:.0f} s; results in {path}")
    print()
    for result in results:
        print(table(result))
        print()
    print(json.dumps(document, indent=2))
    failed = any(not r["runs"]["full"]["success"] for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
