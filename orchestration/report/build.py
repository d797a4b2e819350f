"""The KPI overview report: one self-contained HTML page per language, from the published copy.

The page works offline and from a file share: plotly's JavaScript is inlined once and
every chart is a plotly figure; the text comes from a Jinja2 template. It is written into
the version it shows, before that version goes live (`published/report.html` and
`report.en.html` point into the live one), with an atomic rename, so a person opening it
never sees half a page nor figures of another build. Times are stated in the reporting
time zone of the KPI definitions, the zone every date of the marts is in.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import plotly.offline
import yaml

from orchestration import config
from orchestration.publish.layout import DBT_DOCS, REPORTS
from orchestration.report import charts, inside_sales, pipeline
from orchestration.report.data import HEALTH_WEEKS, NotPublishedError, PublishedData, live_version, read_published
from orchestration.report.files import write_atomically
from orchestration.report.formatting import FILTERS, Periods, change, count, rate
from orchestration.report.labels import DEPARTMENTS, FUNNEL_STEPS, LANGUAGES, Labels

TEMPLATES = Path(__file__).parent / "templates"
FILE_NAMES = REPORTS
DBT_DOCS_LINK = f"{DBT_DOCS}/index.html"
_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
# Health flags in kpi_funnel_health's order: (a) quality, (b) next department, (c) pipeline.
HEALTH_FLAGS = (
    ("warning_a", "is_volume_up_quality_down"),
    ("warning_b", "is_handoff_jump_conversion_drop"),
    ("warning_c", "is_handoffs_up_pipeline_down"),
)


# The lagged families of the health figures: the mart's column saying why a family is not
# judged yet, and the family's label.
HEALTH_FAMILIES = (
    ("lead_conversion_immature_reason", "family_lead_conversion"),
    ("handoff_follow_immature_reason", "family_handoff_follow"),
    ("handoff_pipeline_immature_reason", "family_handoff_pipeline"),
)


@dataclass(frozen=True)
class HealthColumn:
    """A figure of the health table: its mart column (also its label), the flag that marks
    it, its format, and the column saying why its family is not judged yet."""

    column: str
    flag: str | None
    format: Callable[[Any], str]
    immature: str | None = None


# The figures behind the flags; a column the published mart lacks is left out of the table.
HEALTH_COLUMNS = (
    HealthColumn("leads", None, count),
    HealthColumn("lead_volume_change", "is_lead_volume_up", change),
    HealthColumn("quality_lead_rate_recent", "is_quality_lead_rate_down", rate),
    HealthColumn("quality_lead_rate_baseline", None, rate),
    HealthColumn("lead_contact_rate_recent", "is_lead_contact_rate_down", rate, "lead_conversion_immature_reason"),
    HealthColumn(
        "lead_appointment_rate_recent", "is_lead_appointment_rate_down", rate, "lead_conversion_immature_reason"
    ),
    HealthColumn("handed_off", None, count),
    HealthColumn("handoff_volume_change", "is_handoff_volume_up", change),
    HealthColumn("handoff_follow_rate_recent", "is_handoff_follow_rate_down", rate, "handoff_follow_immature_reason"),
    HealthColumn("handoff_follow_rate_baseline", None, rate, "handoff_follow_immature_reason"),
    HealthColumn(
        "opportunity_proposal_rate_recent",
        "is_opportunity_proposal_rate_down",
        rate,
        "handoff_pipeline_immature_reason",
    ),
)


@dataclass(frozen=True)
class ProjectVars:
    """The dbt vars the page states or explains its figures by (dbt_project.yml)."""

    time_zone: ZoneInfo  # reporting_time_zone: the zone of every date in the marts
    fiscal_year_start_month: int
    min_elapsed_share: float  # no projection before this share of a period's business days
    min_denominator: int  # below this many cases a rate is not judged
    neglect_after_days: int
    follow_within_business_days: int
    recycle_after_days: int
    speed_to_lead_sla_minutes: int
    business_hours: tuple[str, str]  # business_hours_start, business_hours_end: the clock of business minutes


def project_vars() -> ProjectVars:
    variables = yaml.safe_load((config.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    return ProjectVars(
        time_zone=ZoneInfo(variables["reporting_time_zone"]),
        fiscal_year_start_month=int(variables["fiscal_year_start_month"]),
        min_elapsed_share=float(variables["min_elapsed_share"]),
        min_denominator=int(variables["min_denominator"]),
        neglect_after_days=int(variables["neglect_after_days"]),
        follow_within_business_days=int(variables["follow_within_business_days"]),
        recycle_after_days=int(variables["recycle_after_days"]),
        speed_to_lead_sla_minutes=int(variables["speed_to_lead_sla_minutes"]),
        business_hours=(str(variables["business_hours_start"]), str(variables["business_hours_end"])),
    )


@dataclass(frozen=True)
class StepFigures:
    """One funnel step of the KPI tree, as the mart row states it for each lead quality."""

    column: str
    label: str
    counts: dict[str, Any]  # quality, general, all
    conversions: dict[str, Any] | None  # per quality, from the previous step; None for the first step
    quality_rate: Any


def _kpi_tree(data: PublishedData, t: Labels) -> dict[str, list[StepFigures]]:
    """Steps grouped by department (marketing -> inside sales -> field sales)."""
    rows = data.overview_row
    tree: dict[str, list[StepFigures]] = {department: [] for department in DEPARTMENTS}
    previous: str | None = None
    for column, step, department in FUNNEL_STEPS:
        tree[department].append(
            StepFigures(
                column=column,
                label=t.step(step),
                counts={quality: row[column] for quality, row in rows.items()},
                conversions=(
                    {quality: row[f"{previous}_to_{step}_rate"] for quality, row in rows.items()} if previous else None
                ),
                quality_rate=rows["all"][f"quality_lead_rate_{column}"],
            )
        )
        previous = step
    return tree


def _charts(data: PublishedData, periods: Periods) -> dict[str, str]:
    """Each figure with rows to draw, as an HTML fragment; plotly.js itself is inlined once
    by the template, which says "no data" where a figure is missing."""
    t = periods.t
    figures = {}
    if not data.overview.empty:
        figures["funnel"] = charts.funnel(data.overview, t)
    if not data.monthly.empty:
        figures["leads"] = charts.leads_by_month(data.monthly, t)
        figures["steps"] = charts.step_events_by_month(data.monthly, t)
        figures["conversion"] = charts.conversion_by_month(data.monthly, t)
    if not data.pacing.empty:
        figures["pacing"] = charts.pacing(data.pacing, periods)
    if not data.speed_to_lead.empty:
        figures["speed_to_lead"] = inside_sales.conversion_by_bucket(data.speed_to_lead, t)
    figures.update(pipeline.figures(data.pipeline_waterfall, data.pipeline_forecast, periods))
    return {
        name: figure.to_html(full_html=False, include_plotlyjs=False, config=_PLOTLY_CONFIG, div_id=f"chart-{name}")
        for name, figure in figures.items()
    }


def _benchmark_matrix(data: PublishedData) -> tuple[list[str], list[dict[str, Any]]]:
    """Teams as columns, one row per benchmark KPI (with its band); each cell keeps its status."""
    frame = data.benchmarks.assign(team=lambda f: f.team_name.fillna(f.team_id))
    rows = [
        {"first": group.iloc[0], "cells": {row["team"]: row for row in group.to_dict("records")}}
        for _, group in frame.groupby("kpi", sort=False)
    ]
    return sorted(frame.team.unique()), rows


def _follow_up_rows(data: PublishedData) -> list[dict[str, Any]]:
    """One row per field-sales rep: the rep's row of all leads, with the quality and
    general rows beside it (the mart ships one row per lead quality)."""
    by_rep: dict[Any, dict[str, Any]] = {}
    for row in data.follow_up.to_dict("records"):
        by_rep.setdefault(row["owner_user_id"], {})[row["lead_quality"]] = row
    return [qualities for qualities in by_rep.values() if "all" in qualities]


def _health_judgement(week: dict[str, Any], variables: ProjectVars, t: Labels) -> str:
    """Why a week's flags are not judged yet: the week's own reason, else the lagged
    families still waiting (their flags stay down meanwhile); '' when all are judged."""
    if week.get("immature_reason"):
        return t.not_judged(week["immature_reason"], variables.min_denominator)
    return t["list_separator"].join(
        t["family_immature"].format(family=t[key], judgement=t.not_judged(week[column], variables.min_denominator))
        for column, key in HEALTH_FAMILIES
        if week.get(column)
    )


def _missing_projection(row: dict[str, Any], variables: ProjectVars, t: Labels) -> str:
    """Why a pacing row has no projection: too early in the running period, or the period is closed."""
    elapsed, total = row.get("business_days_elapsed"), row.get("business_days_in_period")
    share = f"{variables.min_elapsed_share:.0%}"
    if row["is_running"] and elapsed is not None and total and elapsed < variables.min_elapsed_share * total:
        return t["no_projection_yet"].format(share=share, elapsed=elapsed, total=total)
    return "—" if row["is_running"] else t["no_projection_closed"]


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(FILTERS)
    return environment


def render(data: PublishedData, lang: str, generated_at: datetime | None = None) -> str:
    """The page's HTML for one language."""
    t = Labels(lang)
    variables = project_vars()
    periods = Periods(t, variables.fiscal_year_start_month)
    overview = data.overview_row.get("all")  # none while no lead exists
    benchmark_teams, benchmark_rows = _benchmark_matrix(data)
    other = next(code for code in LANGUAGES if code != lang)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            t=t,
            lang=lang,
            other_href=FILE_NAMES[other],
            dbt_docs_href=DBT_DOCS_LINK,
            plotly_js=plotly.offline.get_plotlyjs(),
            font_family=charts.FONT_FAMILY,
            time_zone=variables.time_zone,
            variables=variables,
            periods=periods,
            data=data,
            manifest=data.manifest,
            generated_at=(generated_at or datetime.now(UTC)),
            overview=overview,
            tree=None if overview is None else _kpi_tree(data, t),
            charts=_charts(data, periods),
            pacing_rows=data.pacing.to_dict("records"),
            missing_projection=lambda row: _missing_projection(row, variables, t),
            benchmark_teams=benchmark_teams,
            benchmark_rows=benchmark_rows,
            neglect_rows=data.neglect.to_dict("records"),
            follow_up_rows=_follow_up_rows(data),
            roles=inside_sales.ROLES,
            role_teams=inside_sales.teams(data.roles, ("sales_role", "lead_quality")),
            response_buckets=inside_sales.RESPONSE_BUCKETS,
            speed_teams=inside_sales.teams(data.speed_to_lead, ("rep_user_id", "response_bucket", "lead_quality")),
            pipeline_steps=pipeline.WATERFALL_STEPS,
            pipeline_quarter=lambda row: pipeline.quarter(row, periods),
            health_weeks=HEALTH_WEEKS,
            health_flags=HEALTH_FLAGS,
            health_columns=[column for column in HEALTH_COLUMNS if column.column in data.health.columns],
            health_judgement=lambda week: _health_judgement(week, variables, t),
        )
    )


def write_reports(data: PublishedData, folder: Path, languages: Iterable[str] = LANGUAGES) -> list[Path]:
    """The pages of these languages, from one read of a published version, into its folder
    (each page links to the other language and to the docs beside it)."""
    generated_at = datetime.now(UTC)
    written = []
    for lang in languages:
        target = Path(folder) / FILE_NAMES[lang]
        write_atomically(target, render(data, lang, generated_at))
        written.append(target)
    return written


def report_command(args: argparse.Namespace) -> int:
    """`fukan report [--lang ja|en] [--published DIR]`: rewrite the live version's pages,
    both languages unless --lang says one."""
    published = Path(args.published) if args.published else config.published_dir()
    try:
        version = live_version(published)
        written = write_reports(read_published(version), version, [args.lang] if args.lang else LANGUAGES)
    except NotPublishedError as error:
        print(error, file=sys.stderr)
        return 1
    for path in written:
        print(f"Wrote {published / path.name}")
    return 0
