"""What the report shows, read from the published copy only (ARCHITECTURE: outputs for
people read `published/`, never the working warehouse).

One read-only connection reads every table and the manifest stored inside the same
file (`publish.manifest`), so the figures and the as-of date, build time and definition
versions the page states always belong to one published version, even when a publish
swaps the copy while the report is being built. Rows are selected here, never
recomputed: every figure on the page is a value of a KPI mart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.publish.layout import DATABASE, live_version_dir
from orchestration.report.inside_sales import ROLES_SQL, SPEED_TO_LEAD_SQL
from orchestration.report.pipeline import FORECAST_SQL, WATERFALL_SQL

HEALTH_WEEKS = 12

# The whole-funnel overview: cohort basis, the latest complete fiscal year (the running
# one only while no fiscal year is complete yet). A whole fiscal year is the period a
# sales organisation plans and reviews by, and a complete one no longer moves except
# through the maturing of its last leads.
_OVERVIEW = """
    with fiscal_years as (
        select period_start, is_period_complete
        from kpi.kpi_funnel_overview
        where basis = 'cohort' and period_grain = 'fiscal_year' and lead_quality = 'all'
        order by is_period_complete desc, period_start desc
        limit 1
    )
    select overview.*
    from kpi.kpi_funnel_overview as overview
    inner join fiscal_years using (period_start)
    where overview.basis = 'cohort' and overview.period_grain = 'fiscal_year'
"""

_MONTHLY = """
    select *
    from kpi.kpi_funnel_overview
    where period_grain = 'month'
    order by basis, lead_quality, period_start
"""

# Department targets (owner targets stay in the mart for BI): for each target, the period
# running on the as-of date and the one before it, each at its latest day - the running
# period's pace and projection, the closed period's final attainment (which is what
# people look at on the first days of a period).
_PACING = """
    with latest_day_of_period as (
        select *
        from kpi.kpi_target_pacing
        where target_level = 'department'
        qualify calendar_date = max(calendar_date) over (partition by department, kpi, period_grain, period_start)
    )
    select *, calendar_date < period_end_date as is_running
    from latest_day_of_period
    qualify row_number() over (partition by department, kpi, period_grain order by period_start desc) <= 2
    order by department, kpi, period_grain, period_start desc
"""

# Today's and this week's target per department and team on the as-of date, with the
# pace per remaining business day that lands the period target.
_TARGET_TODAY = """
    select *
    from kpi.kpi_target_daily
    where is_as_of_date and target_level in ('department', 'team')
    order by department, kpi, period_grain, team_name nulls first
"""

_BENCHMARKS = """
    select *
    from kpi.kpi_benchmarks
    where period_start = (select max(period_start) from kpi.kpi_benchmarks where is_period_complete)
    order by kpi, team_name
"""

# The month of the benchmarks (the latest complete one): each team's open and neglected
# leads at its end and its personal touches.
_NEGLECT = """
    select
        period_start, team_id, team_name, open_leads, neglected_leads, neglected_lead_share,
        personal_touches, touches_per_open_lead
    from kpi.kpi_inside_sales_teams
    where period_grain = 'month' and period_start = (
        select max(period_start) from kpi.kpi_inside_sales_teams where period_grain = 'month' and is_period_complete
    )
    order by coalesce(team_name, team_id)
"""

# Hand-off follow-up per field-sales rep in the latest complete month, by lead quality.
_FOLLOW_UP = """
    with latest_month as (
        select *
        from kpi.kpi_field_sales
        where period_grain = 'month' and period_start = (
            select max(period_start) from kpi.kpi_field_sales where period_grain = 'month' and is_period_complete
        )
    )
    select
        period_start, owner_user_id, owner_name, owner_team_name, lead_quality, handoffs, followed_handoffs,
        follow_rate, median_business_days_to_follow_up
    from latest_month
    where lead_quality in ('all', 'quality', 'general')
    qualify max(case when lead_quality = 'all' then handoffs end) over (partition by owner_user_id) > 0
    order by owner_team_name, owner_name, owner_user_id
"""

_HEALTH = f"""
    select *
    from kpi.kpi_funnel_health
    order by week_start desc
    limit {HEALTH_WEEKS}
"""

# The latest raised warnings, however long ago: a quiet recent window still shows when
# the funnel last leaked and by how much.
_WARNINGS = f"""
    select *
    from kpi.kpi_funnel_health
    where has_warning
    order by week_start desc
    limit {HEALTH_WEEKS}
"""

# Every day from the first date with data to the as-of date has a row.
_AS_OF_DATE = "select max(period_start) from kpi.kpi_funnel_overview where period_grain = 'day'"


class NotPublishedError(RuntimeError):
    """The folder holds no published copy (yet): nothing to report on."""


def _not_published(where: Path) -> NotPublishedError:
    return NotPublishedError(
        f"No published copy at {where}: run `fukan run` (or `make run`) so that a refresh "
        "passes its checks and publishes, then build the report."
    )


def live_version(published_dir: Path) -> Path:
    """The folder of the version live in `published_dir`, resolved once: a report read
    from it and written into it stays with its data whatever a publish swaps meanwhile."""
    version = live_version_dir(Path(published_dir))
    if version is None:
        raise _not_published(Path(published_dir))
    return version


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The rows with every null as None. pandas spells a null NA, NaN or NaT by column type,
    and NA has no truth value: the page tests and formats None alone, whatever the type."""
    frame = con.execute(sql).df()
    return frame.astype(object).where(frame.notna(), None)


def _optional_frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The rows of a section a published copy may not have (a copy published before the
    mart or its columns existed): no rows then, so the section says it has no data."""
    try:
        return _frame(con, sql)
    except (duckdb.CatalogException, duckdb.BinderException):
        return pd.DataFrame()


@dataclass(frozen=True)
class PublishedData:
    """The rows of one published version the report draws, and that version's manifest."""

    manifest: dict[str, Any]
    as_of_date: date | None  # None while the marts hold no day
    overview: pd.DataFrame  # 3 rows: lead_quality quality, general, all (none before the first lead)
    monthly: pd.DataFrame  # both bases, three qualities, every month
    pacing: pd.DataFrame
    target_today: pd.DataFrame  # per department and team target, the as-of date
    benchmarks: pd.DataFrame
    neglect: pd.DataFrame  # per inside-sales team, the benchmarks' month
    roles: pd.DataFrame  # per inside-sales team, role and lead quality, the latest complete month
    speed_to_lead: pd.DataFrame  # per team and rep (all buckets), per team and bucket; the same month
    follow_up: pd.DataFrame  # per field-sales rep with hand-offs and lead quality, the latest complete month
    pipeline_waterfall: pd.DataFrame  # company-wide, the latest complete and the running fiscal quarter
    pipeline_forecast: pd.DataFrame  # the same quarters' forecasts (at the start; the running one also as of)
    health: pd.DataFrame  # the latest weeks, newest first
    warnings: pd.DataFrame  # the latest weeks with a warning, newest first

    @property
    def overview_row(self) -> dict[str, pd.Series]:
        return {row.lead_quality: row for _, row in self.overview.iterrows()}


def read_published(published_dir: Path) -> PublishedData:
    """Read what the report needs from `published_dir/fukan.duckdb`, opened read-only."""
    database = Path(published_dir) / DATABASE
    if not database.exists():
        raise _not_published(database)
    with duckdb.connect(str(database), read_only=True) as con:
        manifest_row = con.execute("select manifest_json from publish.manifest").fetchone()
        if manifest_row is None:
            raise NotPublishedError(f"{database} has no publish.manifest row: it is not a published copy.")
        return PublishedData(
            manifest=json.loads(manifest_row[0]),
            as_of_date=con.execute(_AS_OF_DATE).fetchone()[0],
            overview=_frame(con, _OVERVIEW),
            monthly=_frame(con, _MONTHLY),
            pacing=_frame(con, _PACING),
            target_today=_optional_frame(con, _TARGET_TODAY),
            benchmarks=_frame(con, _BENCHMARKS),
            neglect=_optional_frame(con, _NEGLECT),
            roles=_optional_frame(con, ROLES_SQL),
            speed_to_lead=_optional_frame(con, SPEED_TO_LEAD_SQL),
            follow_up=_optional_frame(con, _FOLLOW_UP),
            pipeline_waterfall=_optional_frame(con, WATERFALL_SQL),
            pipeline_forecast=_optional_frame(con, FORECAST_SQL),
            health=_frame(con, _HEALTH),
            warnings=_frame(con, _WARNINGS),
        )
