"""Set the demo targets (seeds/kpi_targets.csv) from the demo company's actuals.

Targets a real sales plan would set land near what the teams achieve: for every target
row of the seed (its keys are kept, only target_value changes) whose period is over,
the target is the period's actual divided by a planned attainment between 80% and
115%, drawn from the row's keys (so a rerun on the same demo writes the same file),
and rounded to a planning figure. A period not over yet gets the mean target of the
last three periods that are, plus 5% growth. The actuals are those kpi_target_pacing
reports on the last day of each target period (department, team and owner level), so
the targets follow whatever the KPI definitions count. Only the seed's rows are set
here; the quarters and halves int_kpi_pacing_targets derives from them follow.

Build the demo warehouse first (default demo: 20,000 leads, seed 7), then run this and
commit the seed:

    fukan run --demo-if-empty
    python scripts/generate_demo_targets.py --warehouse warehouse/fukan.duckdb
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "kpi_targets.csv"
COLUMNS = ["period_grain", "period_start", "department", "kpi", "owner_id", "team_id", "target_value"]
LOWEST_ATTAINMENT, HIGHEST_ATTAINMENT = 0.80, 1.15
GROWTH = 1.05
PLAN_BASE_PERIODS = 3
# Planning figures: counts of a few hundred to the nearest 10, amounts to the nearest million yen.
ROUNDING = {"won_amount": 1_000_000}

_ACTUALS = """
    select department, kpi, coalesce(owner_user_id, '') as owner_id, coalesce(team_id, '') as team_id,
        period_grain, cast(period_start as varchar) as period_start, actual_to_date
    from kpi.kpi_target_pacing
    where target_source = 'seed' and calendar_date = period_end_date
"""


def planned_attainment(row: dict[str, str]) -> float:
    """A stable draw in [LOWEST_ATTAINMENT, HIGHEST_ATTAINMENT] from the row's keys."""
    # team_id joins the key only when set, so department targets draw as before it existed.
    columns = [column for column in COLUMNS[:-1] if column != "team_id" or row[column]]
    key = "|".join(row[column] for column in columns).encode("utf-8")
    share = int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / 2**64
    return LOWEST_ATTAINMENT + (HIGHEST_ATTAINMENT - LOWEST_ATTAINMENT) * share


def planning_figure(kpi: str, value: float) -> int:
    step = ROUNDING.get(kpi, 10 if value >= 100 else 1)
    return max(step, round(value / step) * step)


def _key(row: dict[str, str]) -> tuple[str, ...]:
    """The target's series (department, KPI, owner, team, grain) and period start."""
    return (row["department"], row["kpi"], row["owner_id"], row["team_id"], row["period_grain"], row["period_start"])


def targets(rows: list[dict[str, str]], actuals: dict[tuple[str, ...], float]) -> list[dict[str, str]]:
    """The seed rows, in their order, with new target values."""
    values: dict[tuple[str, ...], int] = {}
    recent: dict[tuple[str, ...], list[int]] = {}  # targets set from actuals, oldest first
    for row in sorted(rows, key=lambda r: r["period_start"]):
        key = _key(row)
        series = key[:-1]
        if key in actuals:
            values[key] = planning_figure(row["kpi"], actuals[key] / planned_attainment(row))
            recent.setdefault(series, []).append(values[key])
        elif recent.get(series):
            latest = recent[series][-PLAN_BASE_PERIODS:]
            values[key] = planning_figure(row["kpi"], sum(latest) / len(latest) * GROWTH)
        else:
            raise ValueError(f"{SEED.name}: no actual for {key} and none before it")
    return [
        {
            **row,
            "target_value": str(values[_key(row)]),
        }
        for row in rows
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Rewrite the target values of seeds/kpi_targets.csv from the demo's actuals."
    )
    parser.add_argument("--warehouse", type=Path, required=True, help="DuckDB warehouse built from the default demo")
    parser.add_argument("--seed", type=Path, default=SEED, help="targets seed to rewrite")
    args = parser.parse_args(argv)
    with args.seed.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        actuals = {tuple(r[:6]): float(r[6]) for r in con.execute(_ACTUALS).fetchall()}
    try:
        new_rows = targets(rows, actuals)
    except ValueError as error:
        parser.error(str(error))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(new_rows)
    args.seed.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    print(f"wrote {len(new_rows)} targets to {args.seed}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
