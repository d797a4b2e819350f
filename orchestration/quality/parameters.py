"""What the suites leave open until validation time, and the names both sides share.

Suites refer to mapping seeds and to the plausible time window by `$PARAMETER` name, so
the committed JSON stays the same when a seed is edited or the clock moves; this module
computes the values. It imports neither GX nor Dagster: the code location loads fast.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from orchestration import config, contract

CRITICAL, WARNING = "critical", "warning"  # GX expectation severities; critical blocks publication

# The plausible time window of the contract (ingestion quarantines rows outside it).
EARLIEST_PLAUSIBLE = contract.EARLIEST_PLAUSIBLE.isoformat()
PLANNED_HORIZON_DAYS = contract.PLANNED_HORIZON.days

# Mapping seeds whose values a raw field must take: parameter -> (seed, column, match).
# "normalised" matches like the models' fukan.normalise_text (lower case, surrounding
# and full-width spaces removed); "exact" compares the text as is.
SEED_DOMAINS: dict[str, tuple[str, str, str]] = {
    "lead_status_values": ("lead_status_mapping", "lead_status", "exact"),
    "opportunity_stage_values": ("opportunity_stage_mapping", "stage_name", "exact"),
    "event_type_values": ("event_type_mapping", "event_type", "exact"),
    "call_disposition_keys": ("call_disposition_mapping", "call_disposition", "normalised"),
}

# The comparison with the last publish: which tables, and the lead volume metric.
VOLUME_TABLE_PREFIXES = ("kpi_", "fct_", "dim_")  # what-if tables follow the candidate rules instead
LEAD_VOLUME_METRIC = "lead volume"
VOLUME_SUITE = "published.volume"


def normalise(text: str) -> str:
    """Python twin of the dbt macro fukan.normalise_text."""
    return text.replace("\u3000", " ").strip(" ").lower()


def seed_values(seed: str, column: str, match: str) -> list[str]:
    with (config.SEEDS_DIR / f"{seed}.csv").open(encoding="utf-8", newline="") as handle:
        values = {row[column] for row in csv.DictReader(handle) if row[column]}
    return sorted({normalise(v) for v in values} if match == "normalised" else values)


def expectation_parameters(now: datetime | None = None) -> dict[str, Any]:
    """Values of every `$PARAMETER` at this moment: the seeds as they are on disk (what
    dbt loads next), and the plausible window around the validation time."""
    now = now or datetime.now(UTC)
    parameters: dict[str, Any] = {
        "earliest_plausible_at": pd.Timestamp(EARLIEST_PLAUSIBLE),
        "latest_planned_at": pd.Timestamp(now.replace(tzinfo=None) + timedelta(days=PLANNED_HORIZON_DAYS)),
    }
    for name, (seed, column, match) in SEED_DOMAINS.items():
        parameters[name] = seed_values(seed, column, match)
    return parameters
