"""The published copy the report, BI-recipe and semantic-layer tests read: the
`published/` folder the session's `fukan run` wrote beside its warehouse, exactly the
layout BI tools see; and how a test reads the report's sections and knows which of them
have rows to show."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from orchestration import config
from orchestration.publish.layout import MANIFEST

# Each section of the report and the rows it draws (the columns it needs named, so a copy
# published before they existed counts as none). A section without rows says "no data".
SECTION_ROWS = {
    "overview": "select 1 from kpi.kpi_funnel_overview where basis = 'cohort' and period_grain = 'fiscal_year'",
    "trends": "select 1 from kpi.kpi_funnel_overview where period_grain = 'month'",
    "pacing": "select 1 from kpi.kpi_target_pacing where target_level = 'department'",
    "targets_today": """
        select day_target, week_target, gap_to_date, required_daily_pace
        from kpi.kpi_target_daily
        where is_as_of_date and target_level in ('department', 'team')
    """,
    "pipeline_waterfall": "select 1 from kpi.kpi_pipeline_waterfall where period_grain = 'fiscal_quarter'",
    "pipeline_forecast": "select 1 from kpi.kpi_pipeline_forecast where period_grain = 'fiscal_quarter'",
    "benchmarks": "select 1 from kpi.kpi_benchmarks where is_period_complete",
    "neglect": """
        select open_leads, neglected_leads, neglected_lead_share, personal_touches, touches_per_open_lead
        from kpi.kpi_inside_sales_teams
        where period_grain = 'month' and is_period_complete
    """,
    "inside_sales_roles": """
        select calls, contact_rate, won_amount
        from kpi.kpi_inside_sales_roles
        where period_grain = 'month' and is_period_complete and rep_user_id = 'all'
    """,
    "speed_to_lead": """
        select leads, within_sla_share, median_business_minutes_to_first_attempt, lead_to_appointment_rate
        from kpi.kpi_inside_sales_speed_to_lead
        where period_grain = 'month' and is_period_complete
    """,
    "follow_up": """
        select followed_handoffs, follow_rate, median_business_days_to_follow_up
        from kpi.kpi_field_sales
        where period_grain = 'month' and lead_quality = 'all' and handoffs > 0 and period_start = (
            select max(period_start) from kpi.kpi_field_sales where period_grain = 'month' and is_period_complete
        )
    """,
    "health": "select 1 from kpi.kpi_funnel_health",
}
SECTIONS = tuple(SECTION_ROWS)


@pytest.fixture(scope="session")
def published_copy(built_warehouse) -> Path:
    assert built_warehouse.exit_code == 0, "the session's refresh failed: nothing was published"
    folder = config.published_dir(built_warehouse.warehouse)
    assert (folder / MANIFEST).exists(), "the refresh did not publish"
    return folder


def page_sections(page: str) -> dict[str, str]:
    """The visible text of each section of a report page: scripts (plotly's data) and tags removed."""
    text = re.sub(r"<script\b.*?</script>", "", page, flags=re.DOTALL)
    return {
        name: re.sub(r"<[^>]+>", " ", body)
        for name, body in re.findall(r'<section id="(\w+)">(.*?)</section>', text, flags=re.DOTALL)
    }


def sections_without_rows(database: Path) -> set[str]:
    """The report's sections whose marts hold no row for them, read from a published copy."""
    empty = set()
    with duckdb.connect(str(database), read_only=True) as con:
        for name, sql in SECTION_ROWS.items():
            try:
                has_rows = con.execute(f"select exists ({sql})").fetchone()[0]
            except (duckdb.CatalogException, duckdb.BinderException):
                has_rows = False  # the mart or a column the section needs is not in this copy
            if not has_rows:
                empty.add(name)
    return empty
