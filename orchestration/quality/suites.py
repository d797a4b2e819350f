"""The Great Expectations suites, built from the contract, and written as reviewable JSON.

Code is the source: the raw suites follow `orchestration.contract` (a new CRM field
changes them without a hand edit), and every band is a named constant below. The JSON
under `expectations/expectations/` is what a reviewer reads in a pull request, what the
GX file context in `expectations/` lists, and what the pipeline loads at run time;
`tests/test_quality_suites.py` fails when the two drift. Regenerate with
`python -m orchestration.quality.suites`.

What a suite reads is part of it: `meta.frame` holds the SQL of the pandas frame it
validates and how that frame stays small (a deterministic sample of big raw tables, or
an aggregate). Values that change with the data or the clock (mapping seeds, the
plausible time window) are suite parameters (`{"$PARAMETER": ...}`) that
`parameters.expectation_parameters()` fills in: editing a seed never needs a new suite.

Nothing here repeats a dbt test (not_null, unique, accepted_values, rates in [0, 1],
funnel counts non-increasing): `tests/test_quality_suites.py` checks that too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.row_conditions import Column

from orchestration import config, contract
from orchestration.quality.parameters import (
    CRITICAL,
    EARLIEST_PLAUSIBLE,
    LEAD_VOLUME_METRIC,
    PLANNED_HORIZON_DAYS,
    SEED_DOMAINS,
    VOLUME_SUITE,
    VOLUME_TABLE_PREFIXES,
    WARNING,
)
from orchestration.quality.validate import SUITES_DIR

# Raw frames above this many rows are validated on a deterministic sample by hash of
# the record id (the same rows every run, every version of a record together).
RAW_FRAME_MAX_ROWS = 200_000

# The plausible time window is a pair of parameters (parameters.py). Record timestamps
# more than a day in the future are already quarantined by the ingestion
# (ingest/validate.py), so they get the lower bound only.
RECORD_STAMPS = ("created_date", "system_modstamp", "last_modified_date")
WINDOW_MOSTLY = 0.999  # a stray row is noise; a systematic shift (time zone, epoch) is not

# Share of non-null values of fields the KPIs need but the contract does not require
# (required fields are the ingestion's and dbt's not_null). Set well below the demo
# data's shares: a breach means the export lost a field, not that data is thin.
KPI_FIELD_FILL: dict[str, dict[str, float]] = {
    "lead": {  # marketing views by source; the quality rules score these attributes
        "lead_source": 0.8,
        "industry": 0.6,
        "number_of_employees": 0.6,
        "title": 0.6,
    },
    "task": {"who_id": 0.6, "activity_date": 0.95},  # tasks reach the funnel through the lead
    "event": {"who_id": 0.3, "start_date_time": 0.95},  # appointments are meetings on a lead
    "opportunity": {"amount": 0.8, "close_date": 0.95},  # won amount, sales cycle
    "campaign": {"actual_cost": 0.5},  # cost per lead
    "campaign_member": {"lead_id": 0.5},
}
# Calls without a disposition cannot be counted as connected or not.
CALL_DISPOSITION_FILL = 0.8

# Value bands of raw fields that feed KPI sums and averages.
RAW_BANDS: dict[str, dict[str, tuple[float | None, float | None]]] = {
    "task": {
        "hearing_item_count_c": (0, contract.MAX_HEARING_ITEMS),
        "call_duration_in_seconds": (0, contract.MAX_CALL_SECONDS),
    },
    "opportunity": {"amount": (0, None), "probability": (0, 100)},
}

# The KPI overview on complete monthly cohorts with enough leads to be a rate.
OVERVIEW_MIN_LEADS = 30
QUALITY_LEAD_RATE_BAND = (0.05, 0.8)  # median month; outside: the rules or their inputs broke
LEAD_TO_WORKED_MIN = 0.3  # median month; below: activities no longer reach their leads
HANDOFF_TO_OPPORTUNITY_MIN = 0.3  # median month; below: conversions lost their opportunity
# Calls per complete month (months with enough calls to be a share).
ACTIVITY_MIN_CALLS = 100
CONNECTED_SHARE_BAND = (0.02, 0.9)  # outside: the disposition mapping no longer matches
UNMAPPED_DISPOSITION_MAX = 0.05  # reported: an unmapped disposition counts as not connected

# Row counts and lead volume against the last published version.
VOLUME_MIN_RATIO = 0.5  # rows lost overnight: a broken extract or join, never a normal day
LEAD_VOLUME_MIN_RATIO = 0.8  # leads are never deleted in bulk
VOLUME_MAX_RATIO = 3.0  # reported only: a backfill is legitimate


@dataclass(frozen=True)
class Suite:
    """One suite: the asset it guards, the frame it reads, and its expectations."""

    name: str
    guards: str  # relation `<schema>.<table>` of the guarded asset, or "published" for all of them
    frame: dict[str, Any]
    expectations: list[gxe.Expectation]
    notes: str
    parameters: dict[str, str] = field(default_factory=dict)

    def build(self) -> gx.ExpectationSuite:
        meta = {"guards": self.guards, "frame": self.frame, "parameters": self.parameters}
        return gx.ExpectationSuite(name=self.name, expectations=self.expectations, meta=meta, notes=self.notes)


def _raw_frame(name: str, derived: dict[str, str] | None = None) -> dict[str, Any]:
    relation = f"{config.RAW_SCHEMA}.{name}"
    extra = "".join(f", {sql} as {column}" for column, sql in (derived or {}).items())
    return {
        "relation": relation,
        "sql": f'select *{extra} from {config.RAW_SCHEMA}."{name}"',
        "sample_key": "id",
        "max_rows": RAW_FRAME_MAX_ROWS,
        "reads": "every row; above max_rows a deterministic sample (hash of id)",
    }


def _window(obj: contract.CrmObject) -> list[gxe.Expectation]:
    """Timestamps and dates inside the plausible window."""
    expectations = []
    for column in obj.columns:
        if column.type not in (contract.TIMESTAMP, contract.DATE):
            continue
        planned = column.name not in RECORD_STAMPS
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=column.name,
                min_value={"$PARAMETER": "earliest_plausible_at"},
                max_value={"$PARAMETER": "latest_planned_at"} if planned else None,
                mostly=WINDOW_MOSTLY,
                severity=CRITICAL,
                notes=f"{column.name} lies in the plausible window (parameters of this suite).",
            )
        )
    return expectations


def _domain(column: str, parameter: str) -> gxe.Expectation:
    seed, seed_column, _match = SEED_DOMAINS[parameter]
    return gxe.ExpectColumnValuesToBeInSet(
        column=column,
        value_set={"$PARAMETER": parameter},
        severity=CRITICAL,
        notes=f"Every value is a {seed_column} of seeds/{seed}.csv: an unmapped value proves no funnel step.",
    )


# Derived frame columns, matched the way the dbt models match them.
_DERIVED = {
    "task": {"call_disposition_key": "lower(trim(replace(call_disposition, '　', ' ')))"},
    "event": {"event_type_key": "trim(type)"},
    "lead_history": {"status_new_value": "case when field = 'Status' then new_value end"},
}


def _raw_specific(name: str) -> list[gxe.Expectation]:
    """Domains against the mapping seeds, for the objects that carry a mapped field."""
    if name == "lead":
        return [_domain("status", "lead_status_values")]
    if name == "lead_history":
        return [_domain("status_new_value", "lead_status_values")]
    if name in ("opportunity", "opportunity_history"):
        return [_domain("stage_name", "opportunity_stage_values")]
    if name == "event":
        return [_domain("event_type_key", "event_type_values")]
    if name == "task":
        return [
            gxe.ExpectColumnValuesToBeInSet(
                column="call_disposition_key",
                value_set={"$PARAMETER": "call_disposition_keys"},
                mostly=1 - UNMAPPED_DISPOSITION_MAX,
                severity=WARNING,
                notes=(
                    "Call dispositions are free text from the phone system: an unmapped value counts "
                    "as not connected and is reported here. Matched like the models do: "
                    "lower case, surrounding (full-width) spaces removed."
                ),
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column="call_disposition",
                mostly=CALL_DISPOSITION_FILL,
                row_condition=(Column("task_subtype") == "Call") | (Column("type") == "Call"),
                severity=CRITICAL,
                notes="Calls carry a disposition; without it the contact rate cannot be computed.",
            ),
        ]
    return []


def raw_suite(obj: contract.CrmObject) -> Suite:
    expected_columns = [*obj.column_names, *contract.META_COLUMNS]
    specific = _raw_specific(obj.name)
    expectations: list[gxe.Expectation] = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=expected_columns,
            exact_match=False,
            severity=CRITICAL,
            notes=(
                "Every contract column (orchestration/contract.py) and "
                "ingestion column exists; extra CRM fields may pass through."
            ),
        ),
        *_window(obj),
        *(
            gxe.ExpectColumnValuesToNotBeNull(
                column=column,
                mostly=share,
                severity=CRITICAL,
                notes=f"At least {share:.0%} of rows carry {column}: KPIs group or score by it.",
            )
            for column, share in KPI_FIELD_FILL.get(obj.name, {}).items()
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(
                column=column,
                min_value=low,
                max_value=high,
                mostly=WINDOW_MOSTLY,
                severity=CRITICAL,
                notes=f"{column} is a plausible value: it feeds KPI sums and averages.",
            )
            for column, (low, high) in RAW_BANDS.get(obj.name, {}).items()
        ),
        *specific,
    ]
    seeds = {e.value_set["$PARAMETER"] for e in specific if isinstance(e, gxe.ExpectColumnValuesToBeInSet)}
    return Suite(
        name=f"{config.RAW_SCHEMA}.{obj.name}",
        guards=f"{config.RAW_SCHEMA}.{obj.name}",
        frame=_raw_frame(obj.name, _DERIVED.get(obj.name)),
        expectations=expectations,
        notes=(
            f"The `{obj.name}` extract as loaded: contract columns, plausible times, fill of KPI fields, seed domains."
        ),
        parameters={
            "earliest_plausible_at": f"{EARLIEST_PLAUSIBLE} (fixed)",
            "latest_planned_at": f"validation time + {PLANNED_HORIZON_DAYS} days",
            **{p: "{1} of seeds/{0}.csv ({2})".format(*SEED_DOMAINS[p]) for p in sorted(seeds)},
        },
    )


def overview_suite() -> Suite:
    return Suite(
        name="kpi.kpi_funnel_overview",
        guards="kpi.kpi_funnel_overview",
        frame={
            "relation": "kpi.kpi_funnel_overview",
            "sql": (
                "select period_start, leads, quality_lead_rate_leads, lead_to_worked_rate, "
                "handed_off_to_opportunity_rate from kpi.kpi_funnel_overview "
                "where basis = 'cohort' and period_grain = 'month' and lead_quality = 'all' "
                f"and is_period_complete and leads >= {OVERVIEW_MIN_LEADS}"
            ),
            "reads": f"complete monthly cohorts of all leads with {OVERVIEW_MIN_LEADS}+ leads (a few rows per year)",
            "skip_if_empty": True,
        },
        expectations=[
            gxe.ExpectColumnMedianToBeBetween(
                column="quality_lead_rate_leads",
                min_value=QUALITY_LEAD_RATE_BAND[0],
                max_value=QUALITY_LEAD_RATE_BAND[1],
                severity=CRITICAL,
                notes=(
                    "The typical month's quality-lead rate lies in its band: "
                    "outside, the quality rules or their lead attributes broke."
                ),
            ),
            gxe.ExpectColumnMedianToBeBetween(
                column="lead_to_worked_rate",
                min_value=LEAD_TO_WORKED_MIN,
                severity=CRITICAL,
                notes="Most leads get worked: a collapse means calls and e-mails no longer reach their leads.",
            ),
            gxe.ExpectColumnMedianToBeBetween(
                column="handed_off_to_opportunity_rate",
                min_value=HANDOFF_TO_OPPORTUNITY_MIN,
                severity=CRITICAL,
                notes="Hand-offs become opportunities: a collapse means converted leads lost their opportunity link.",
            ),
        ],
        notes="Bands of the funnel overview on complete monthly cohorts (dbt already bounds each rate to [0, 1]).",
    )


def activities_suite() -> Suite:
    calls = "activity_type = 'call' and is_completed"
    return Suite(
        name="marts.fct_activities",
        guards="marts.fct_activities",
        frame={
            "relation": "marts.fct_activities",
            "sql": (
                "select date_trunc('month', occurred_date) as month, count(*) as calls, "
                "avg(case when is_connected then 1 else 0 end) as connected_share, "
                "avg(case when is_unmapped_disposition then 1 else 0 end) as unmapped_disposition_share "
                f"from marts.fct_activities where {calls} and occurred_date < date_trunc('month', "
                "(select max(occurred_date) from marts.fct_activities)) "
                f"group by 1 having count(*) >= {ACTIVITY_MIN_CALLS}"
            ),
            "reads": f"an aggregate: one row per complete month with {ACTIVITY_MIN_CALLS}+ completed calls",
            "skip_if_empty": True,
        },
        expectations=[
            gxe.ExpectColumnValuesToBeBetween(
                column="connected_share",
                min_value=CONNECTED_SHARE_BAND[0],
                max_value=CONNECTED_SHARE_BAND[1],
                severity=CRITICAL,
                notes=(
                    "Each month's share of connected calls is plausible: "
                    "outside, the disposition mapping stopped matching."
                ),
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="unmapped_disposition_share",
                max_value=UNMAPPED_DISPOSITION_MAX,
                severity=WARNING,
                notes="Few calls carry a disposition the seed does not map (they count as not connected).",
            ),
        ],
        notes="Monthly call outcomes, aggregated in DuckDB: the fact table can hold tens of millions of rows.",
    )


def volume_suite() -> Suite:
    return Suite(
        name=VOLUME_SUITE,
        guards="published",
        frame={
            "relation": "published",
            "kind": "comparison",
            "reads": (
                f"one row per published {'/'.join(VOLUME_TABLE_PREFIXES)} table (row count) plus the lead volume "
                "(leads of the monthly cohort overview), now and in the live published version"
            ),
        },
        expectations=[
            gxe.ExpectColumnValuesToBeBetween(
                column="ratio",
                min_value=VOLUME_MIN_RATIO,
                row_condition=Column("metric") != LEAD_VOLUME_METRIC,
                severity=CRITICAL,
                notes="No published table loses more than half its rows against the last publish.",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="ratio",
                min_value=LEAD_VOLUME_MIN_RATIO,
                row_condition=Column("metric") == LEAD_VOLUME_METRIC,
                severity=CRITICAL,
                notes="Lead volume does not drop against the last publish (leads are not deleted in bulk).",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="ratio",
                max_value=VOLUME_MAX_RATIO,
                severity=WARNING,
                notes="A table that more than triples is reported (a backfill is legitimate).",
            ),
        ],
        notes="Row counts and lead volume within a tolerance of the live published version.",
    )


def build_suites() -> list[Suite]:
    return [
        *(raw_suite(obj) for obj in contract.OBJECTS.values()),
        overview_suite(),
        activities_suite(),
        volume_suite(),
    ]


def suite_path(name: str, folder: Path = SUITES_DIR) -> Path:
    """Where the GX expectations store keeps a suite: `raw.lead` -> `raw/lead.json`."""
    return folder.joinpath(*name.split(".")).with_suffix(".json")


def suite_json(suite: gx.ExpectationSuite) -> str:
    return json.dumps(suite.to_json_dict(), indent=2, ensure_ascii=False) + "\n"


def write_suites(folder: Path = SUITES_DIR) -> list[Path]:
    """Write every suite as JSON; remove suite files no longer built."""
    written = []
    for suite in build_suites():
        path = suite_path(suite.name, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(suite_json(suite.build()), encoding="utf-8")
        written.append(path)
    for stale in set(folder.rglob("*.json")) - set(written):
        stale.unlink()
    return written


if __name__ == "__main__":
    for path in write_suites():
        print(path.relative_to(config.PROJECT_ROOT))
