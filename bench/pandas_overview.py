"""The monthly cohort overview by lead quality in pandas, as an analyst might write it.

Builds on tests/pandas_reference.Reference, the independent pandas reading of the landing
files and of the KPI definitions that the end-to-end tests trust; this file only groups its
per-lead funnel and quality by cohort month, so the spec is written down once in pandas.
Run in its own process by bench/run.py, so its time and memory are measured alone.

    python -m bench.pandas_overview --landing DIR --out overview.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.pandas_reference import COUNT_COLUMNS, STEPS, Reference


def overview(landing: Path) -> pd.DataFrame:
    """One row per cohort month and lead quality (quality, general, all)."""
    reference = Reference(landing)
    funnel = reference.funnel()
    quality = reference.quality()
    created = reference.leads.set_index("id")["created_date"]
    leads = funnel.join(quality["lead_quality"])
    leads["period_start"] = Reference.reporting_date(created).dt.to_period("M").dt.start_time.dt.date
    leads = leads[leads["reached_lead"]]
    columns = {f"reached_{step}": COUNT_COLUMNS[step] for step in STEPS}
    leads = leads.rename(columns=columns)
    leads["won_amount"] = leads["won_amount"].fillna(0)
    measures = [*columns.values(), "won_amount"]
    by_quality = leads.groupby(["period_start", "lead_quality"])[measures].sum().reset_index()
    everyone = leads.groupby("period_start")[measures].sum().reset_index().assign(lead_quality="all")
    result = pd.concat([by_quality, everyone], ignore_index=True)
    return result[["period_start", "lead_quality", *measures]].sort_values(["period_start", "lead_quality"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", required=True, help="landing folder with one sub-folder of extracts per object")
    parser.add_argument("--out", required=True, help="CSV file to write the overview to")
    args = parser.parse_args(argv)
    result = overview(Path(args.landing))
    result.to_csv(args.out, index=False)
    print(f"pandas: {len(result)} overview rows -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
