"""The fukan dashboard as a Superset import bundle (`superset import-dashboards -p`).

One database (the published DuckDB file, read-only, through duckdb-engine), one SQL
dataset per view, a chart per figure and one dashboard page: the whole-funnel overview
by lead quality, the three departments, target pacing and the funnel-health flags. The
words are the report's (orchestration/report/labels.py). Column lists are read from the
published file, so the bundle always matches the marts it shows.

    python bi/superset/bundle.py PUBLISHED_DUCKDB_FILE OUT.zip
"""

from __future__ import annotations

import argparse
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import yaml

from orchestration.report.labels import DEPARTMENTS, FUNNEL_STEPS, Labels

VERSION = "1.0.0"
NAMESPACE = uuid.UUID("6f0e8a53-61a4-4d0e-9d39-3b0f4d6c2a10")  # stable ids: a re-import updates in place
DASHBOARD_SLUG = "fukan"
HEALTH_WEEKS = 12
COUNT, RATE, CHANGE, AMOUNT, DECIMAL = ",d", ".1%", "+.1%", ",.0f", ",.1f"

T = Labels("ja")
# Words the report does not show; the spec's wording (質リード, 案件 for an opportunity).
WORDS = {
    "dashboard": "fukan KPI 俯瞰ダッシュボード",
    "all": "全体",
    "lead_quality": "リードの質",
    "cohort_month": "コホート月",
    "latest_cohort_leads": "最新コホート月のリード数",
    "latest_cohort_quality_rate": "最新コホート月の質リード率",
    "overview_table": "全体ファネル（最新コホート月、リードの質別）",
    "trend": "作成月別リード数（質リード／一般リード）",
    "marketing": "マーケティング：リードソース別（直近の確定月）",
    "inside_sales": "インサイドセールス：チーム別（直近の確定月）",
    "field_sales": "フィールドセールス：担当者別（直近の確定月）",
    "month": "月",
    "lead_source": "リードソース",
    "campaign_type": "キャンペーン種別",
    "campaign_cost": "キャンペーン費用（円）",
    "cost_per_lead": "リード単価（円）",
    "cost_per_quality_lead": "質リード単価（円）",
    "quality_leads": "質リード数",
    "opportunities": "案件数",
    "lead_to_opportunity_rate": "リード→案件 転換率",
    "team": "チーム",
    "reps": "担当者数",
    "calls": "架電数",
    "connected_calls": "接続コール数",
    "contact_rate": "接続率",
    "appointments": "商談獲得数",
    "appointment_rate": "商談獲得率",
    "opportunity_rate_after_meeting": "商談後の案件化率",
    "calls_per_rep_per_worked_day": "1人1稼働日あたり架電数",
    "owner": "担当者",
    "proposals": "提案数",
    "proposal_rate": "提案率",
    "won": "受注数",
    "win_rate_by_count": "受注率（件数）",
    "average_deal_size": "平均受注金額（円）",
    "average_cycle_days": "平均商談日数",
    "period_grain": "期間の粒度",
    "period_end_date": "期間末",
    "week_start": "週",
}


@dataclass(frozen=True)
class Metric:
    name: str
    expression: str
    label: str
    d3format: str


@dataclass(frozen=True)
class Dataset:
    name: str
    sql: str
    labels: dict[str, str]  # column -> Japanese label (the table's header)
    formats: dict[str, str] = field(default_factory=dict)  # column -> d3 number format
    metrics: tuple[Metric, ...] = ()

    @property
    def uuid(self) -> str:
        return str(uuid.uuid5(NAMESPACE, f"dataset:{self.name}"))


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    dataset: Dataset
    viz_type: str
    params: dict[str, Any]
    width: int  # of 12 grid columns
    height: int = 50  # grid units of 8 px

    @property
    def uuid(self) -> str:
        return str(uuid.uuid5(NAMESPACE, f"chart:{self.name}"))


def _case(column: str, labels: dict[str, str], alias: str) -> str:
    """A column's ids shown as words (an unknown id shows as itself)."""
    whens = " ".join(f"when '{key}' then '{label}'" for key, label in labels.items())
    return f"case {column} {whens} else {column} end as {alias}"


_QUALITY = {"quality": T["quality"], "general": T["general"], "all": WORDS["all"]}
_LATEST_COHORT_MONTH = """(
    select max(period_start) from kpi.kpi_funnel_overview where basis = 'cohort' and period_grain = 'month')"""
_STEP_COLUMNS = [column for column, _step, _department in FUNNEL_STEPS]

OVERVIEW = Dataset(
    name="fukan_overview_latest_cohort_month",
    sql=f"""select period_start, lead_quality, {_case("lead_quality", _QUALITY, "lead_quality_label")},
       {", ".join(_STEP_COLUMNS)}, won_amount, quality_lead_rate_leads, lead_to_won_rate
from kpi.kpi_funnel_overview
where basis = 'cohort' and period_grain = 'month' and period_start = {_LATEST_COHORT_MONTH}""",
    labels={
        "period_start": WORDS["cohort_month"],
        "lead_quality_label": WORDS["lead_quality"],
        **{column: T.step(step) for column, step, _department in FUNNEL_STEPS},
        "won_amount": T["won_amount"],
        "quality_lead_rate_leads": T["quality_rate"],
        "lead_to_won_rate": T["lead_to_won"],
    },
    formats={
        **dict.fromkeys(_STEP_COLUMNS, COUNT),
        "won_amount": AMOUNT,
        "quality_lead_rate_leads": RATE,
        "lead_to_won_rate": RATE,
    },
    metrics=(
        Metric(
            "latest_cohort_leads", "max(leads) filter (where lead_quality = 'all')", WORDS["latest_cohort_leads"], COUNT
        ),
        Metric(
            "latest_cohort_quality_lead_rate",
            "max(quality_lead_rate_leads) filter (where lead_quality = 'all')",
            WORDS["latest_cohort_quality_rate"],
            RATE,
        ),
    ),
)

TREND = Dataset(
    name="fukan_cohort_leads_by_month",
    sql=f"""select period_start, {_case("lead_quality", _QUALITY, "lead_quality_label")}, leads
from kpi.kpi_funnel_overview
where basis = 'cohort' and period_grain = 'month' and lead_quality in ('quality', 'general')""",
    labels={"period_start": WORDS["cohort_month"], "lead_quality_label": WORDS["lead_quality"], "leads": T["leads"]},
    metrics=(Metric("leads", "sum(leads)", T["leads"], COUNT),),
)


def _latest_complete_month(table: str) -> str:
    return f"""period_grain = 'month' and period_start = (
    select max(period_start) from kpi.{table} where period_grain = 'month' and is_period_complete)"""


MARKETING = Dataset(
    name="fukan_marketing_latest_month",
    sql=f"""select period_start, lead_source, campaign_type, leads, quality_leads, quality_lead_rate, campaign_cost,
       cost_per_lead, cost_per_quality_lead, opportunities, lead_to_opportunity_rate, won, won_amount
from kpi.kpi_marketing
where {_latest_complete_month("kpi_marketing")}""",
    labels={
        "period_start": WORDS["month"],
        "lead_source": WORDS["lead_source"],
        "campaign_type": WORDS["campaign_type"],
        "leads": T["leads"],
        "quality_leads": WORDS["quality_leads"],
        "quality_lead_rate": T["quality_rate"],
        "campaign_cost": WORDS["campaign_cost"],
        "cost_per_lead": WORDS["cost_per_lead"],
        "cost_per_quality_lead": WORDS["cost_per_quality_lead"],
        "opportunities": WORDS["opportunities"],
        "lead_to_opportunity_rate": WORDS["lead_to_opportunity_rate"],
        "won": WORDS["won"],
        "won_amount": T["won_amount"],
    },
    formats={
        "leads": COUNT,
        "quality_leads": COUNT,
        "quality_lead_rate": RATE,
        "campaign_cost": AMOUNT,
        "cost_per_lead": AMOUNT,
        "cost_per_quality_lead": AMOUNT,
        "opportunities": COUNT,
        "lead_to_opportunity_rate": RATE,
        "won": COUNT,
        "won_amount": AMOUNT,
    },
)

INSIDE_SALES = Dataset(
    name="fukan_inside_sales_latest_month",
    sql="""select period_start, team_name, reps, calls, connected_calls, contact_rate, appointments, appointment_rate,
       opportunities, opportunity_rate_after_meeting, calls_per_rep_per_worked_day
from kpi.kpi_inside_sales_teams
where period_grain = 'month' and period_start = (
    select max(period_start) from kpi.kpi_inside_sales_teams where period_grain = 'month' and is_period_complete)""",
    labels={
        "period_start": WORDS["month"],
        "team_name": WORDS["team"],
        "reps": WORDS["reps"],
        "calls": WORDS["calls"],
        "connected_calls": WORDS["connected_calls"],
        "contact_rate": WORDS["contact_rate"],
        "appointments": WORDS["appointments"],
        "appointment_rate": WORDS["appointment_rate"],
        "opportunities": WORDS["opportunities"],
        "opportunity_rate_after_meeting": WORDS["opportunity_rate_after_meeting"],
        "calls_per_rep_per_worked_day": WORDS["calls_per_rep_per_worked_day"],
    },
    formats={
        "reps": COUNT,
        "calls": COUNT,
        "connected_calls": COUNT,
        "contact_rate": RATE,
        "appointments": COUNT,
        "appointment_rate": RATE,
        "opportunities": COUNT,
        "opportunity_rate_after_meeting": RATE,
        "calls_per_rep_per_worked_day": DECIMAL,
    },
)

FIELD_SALES = Dataset(
    name="fukan_field_sales_latest_month",
    sql=f"""select period_start, owner_name, owner_team_name, opportunities, proposals, proposal_rate, won,
       win_rate_by_count, won_amount, average_deal_size, average_cycle_days
from kpi.kpi_field_sales
where lead_quality = 'all' and {_latest_complete_month("kpi_field_sales")}""",
    labels={
        "period_start": WORDS["month"],
        "owner_name": WORDS["owner"],
        "owner_team_name": WORDS["team"],
        "opportunities": WORDS["opportunities"],
        "proposals": WORDS["proposals"],
        "proposal_rate": WORDS["proposal_rate"],
        "won": WORDS["won"],
        "win_rate_by_count": WORDS["win_rate_by_count"],
        "won_amount": T["won_amount"],
        "average_deal_size": WORDS["average_deal_size"],
        "average_cycle_days": WORDS["average_cycle_days"],
    },
    formats={
        "opportunities": COUNT,
        "proposals": COUNT,
        "proposal_rate": RATE,
        "won": COUNT,
        "win_rate_by_count": RATE,
        "won_amount": AMOUNT,
        "average_deal_size": AMOUNT,
        "average_cycle_days": DECIMAL,
    },
)


def _pacing(kpis: list[str]) -> Dataset:
    return Dataset(
        name="fukan_target_pacing_as_of",
        sql=f"""select {_case("department", {d: T.department(d) for d in DEPARTMENTS}, "department_label")},
       {_case("kpi", {k: T.target_kpi(k) for k in kpis}, "kpi_label")},
       period_grain, period_start, period_end_date, target_value, target_to_date, actual_to_date, attainment,
       projected_value, projected_attainment
from kpi.kpi_target_pacing
where is_as_of_date and target_level = 'department'""",
        labels={
            "department_label": T["department"],
            "kpi_label": T["kpi"],
            "period_grain": WORDS["period_grain"],
            "period_start": T["period"],
            "period_end_date": WORDS["period_end_date"],
            "target_value": T["target"],
            "target_to_date": T["target_to_date"],
            "actual_to_date": T["actual_to_date"],
            "attainment": T["attainment"],
            "projected_value": T["projected_value"],
            "projected_attainment": T["projected_attainment"],
        },
        formats={
            "target_value": AMOUNT,
            "target_to_date": AMOUNT,
            "actual_to_date": AMOUNT,
            "attainment": RATE,
            "projected_value": AMOUNT,
            "projected_attainment": RATE,
        },
    )


_FLAGS = {
    "warning_a": "is_volume_up_quality_down",
    "warning_b": "is_handoff_jump_conversion_drop",
    "warning_c": "is_handoffs_up_pipeline_down",
}
HEALTH = Dataset(
    name="fukan_funnel_health_recent_weeks",
    sql=f"""select week_start, leads, lead_volume_change, quality_lead_rate_recent, quality_lead_rate_baseline,
       handed_off, handoff_volume_change, handoff_follow_rate_recent,
       {
        ", ".join(
            f"case when {flag} then '{T['flag_on']}' else '{T['flag_off']}' end as {key}"
            for key, flag in _FLAGS.items()
        )
    }
from kpi.kpi_funnel_health
order by week_start desc
limit {HEALTH_WEEKS}""",
    labels={
        "week_start": WORDS["week_start"],
        "leads": T["leads"],
        "lead_volume_change": T["lead_volume_change"],
        "quality_lead_rate_recent": T["quality_lead_rate_recent"],
        "quality_lead_rate_baseline": T["quality_lead_rate_baseline"],
        "handed_off": T["handed_off"],
        "handoff_volume_change": T["handoff_volume_change"],
        "handoff_follow_rate_recent": T["handoff_follow_rate_recent"],
        **{key: T[key] for key in _FLAGS},
    },
    formats={
        "leads": COUNT,
        "lead_volume_change": CHANGE,
        "quality_lead_rate_recent": RATE,
        "quality_lead_rate_baseline": RATE,
        "handed_off": COUNT,
        "handoff_volume_change": CHANGE,
        "handoff_follow_rate_recent": RATE,
    },
)


def _big_number(name: str, metric: Metric, dataset: Dataset) -> Chart:
    return Chart(
        name,
        metric.label,
        dataset,
        "big_number_total",
        {
            "metric": metric.name,
            "adhoc_filters": [],
            "header_font_size": 0.4,
            "subheader_font_size": 0.15,
            "y_axis_format": metric.d3format,
        },
        width=3,
        height=30,
    )


def _table(name: str, title: str, dataset: Dataset, columns: list[str], width: int = 12, height: int = 50) -> Chart:
    return Chart(
        name,
        title,
        dataset,
        "table",
        {
            "query_mode": "raw",
            "all_columns": columns,
            "adhoc_filters": [],
            "order_by_cols": [],
            "row_limit": 1000,
            "server_page_length": 0,
            "include_search": False,
            "show_cell_bars": False,
            "table_timestamp_format": "%Y-%m-%d",
            "column_config": {
                column: {"d3NumberFormat": dataset.formats[column]} for column in columns if column in dataset.formats
            },
        },
        width=width,
        height=height,
    )


def charts(kpis: list[str]) -> list[list[Chart]]:
    """The dashboard's rows, top to bottom."""
    pacing = _pacing(kpis)
    overview_columns = [
        "lead_quality_label",
        *_STEP_COLUMNS,
        "won_amount",
        "quality_lead_rate_leads",
        "lead_to_won_rate",
    ]
    return [
        [
            _big_number("latest_cohort_leads", OVERVIEW.metrics[0], OVERVIEW),
            _big_number("latest_cohort_quality_lead_rate", OVERVIEW.metrics[1], OVERVIEW),
            Chart(
                "cohort_leads_by_month",
                WORDS["trend"],
                TREND,
                "echarts_timeseries_bar",
                {
                    "x_axis": "period_start",
                    "time_grain_sqla": "P1M",
                    "metrics": ["leads"],
                    "groupby": ["lead_quality_label"],
                    "adhoc_filters": [],
                    "stack": "Stack",
                    "row_limit": 10000,
                    "show_legend": True,
                    "y_axis_format": COUNT,
                    "x_axis_time_format": "%Y-%m",
                    "truncateXAxis": True,
                    "rich_tooltip": True,
                },
                width=6,
                height=30,
            ),
        ],
        [_table("overview", WORDS["overview_table"], OVERVIEW, overview_columns, height=26)],
        [_table("marketing", WORDS["marketing"], MARKETING, list(MARKETING.labels), height=36)],
        [_table("inside_sales", WORDS["inside_sales"], INSIDE_SALES, list(INSIDE_SALES.labels), height=28)],
        [_table("field_sales", WORDS["field_sales"], FIELD_SALES, list(FIELD_SALES.labels), height=44)],
        [_table("target_pacing", T["pacing"], pacing, list(pacing.labels), height=36)],
        [
            _table(
                "funnel_health",
                f"{T['health']}（{T['health_recent'].format(weeks=HEALTH_WEEKS)}）",
                HEALTH,
                list(HEALTH.labels),
                height=58,
            )
        ],
    ]


# --- the bundle's files -------------------------------------------------------------------


def _columns(con: duckdb.DuckDBPyConnection, dataset: Dataset) -> list[dict[str, Any]]:
    described = con.execute(f"describe {dataset.sql}").fetchall()
    return [
        {
            "column_name": name,
            "verbose_name": dataset.labels.get(name),
            "type": data_type,
            "is_dttm": data_type in ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE"),
            "is_active": True,
            "groupby": True,
            "filterable": True,
            "expression": None,
            "description": None,
            "python_date_format": None,
            "extra": None,
        }
        for name, data_type, *_ in described
    ]


def _dataset_file(con: duckdb.DuckDBPyConnection, dataset: Dataset, database_uuid: str) -> dict[str, Any]:
    columns = _columns(con, dataset)
    return {
        "table_name": dataset.name,
        "schema": None,
        "sql": dataset.sql,
        "uuid": dataset.uuid,
        "database_uuid": database_uuid,
        "version": VERSION,
        "main_dttm_col": None,
        "description": None,
        "offset": 0,
        "cache_timeout": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "normalize_columns": False,
        "columns": columns,
        "metrics": [
            {
                "metric_name": m.name,
                "verbose_name": m.label,
                "expression": m.expression,
                "d3format": m.d3format,
                "metric_type": None,
                "description": None,
                "extra": None,
                "warning_text": None,
            }
            for m in dataset.metrics
        ],
    }


def _chart_file(chart: Chart) -> dict[str, Any]:
    return {
        "slice_name": chart.title,
        "viz_type": chart.viz_type,
        "params": {"viz_type": chart.viz_type, **chart.params},
        "query_context": None,
        "cache_timeout": None,
        "description": None,
        "certified_by": None,
        "certification_details": None,
        "uuid": chart.uuid,
        "version": VERSION,
        "dataset_uuid": chart.dataset.uuid,
    }


def _dashboard_file(rows: list[list[Chart]]) -> dict[str, Any]:
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"type": "HEADER", "id": "HEADER_ID", "meta": {"text": WORDS["dashboard"]}},
    }
    for number, row in enumerate(rows, start=1):
        row_id = f"ROW-{number}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {
            "type": "ROW",
            "id": row_id,
            "children": [],
            "parents": ["ROOT_ID", "GRID_ID"],
            "meta": {"background": "BACKGROUND_TRANSPARENT"},
        }
        for chart in row:
            chart_id = f"CHART-{chart.name}"
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {
                "type": "CHART",
                "id": chart_id,
                "children": [],
                "parents": ["ROOT_ID", "GRID_ID", row_id],
                "meta": {
                    "chartId": 0,
                    "uuid": chart.uuid,
                    "sliceName": chart.title,
                    "width": chart.width,
                    "height": chart.height,
                },
            }
    return {
        "dashboard_title": WORDS["dashboard"],
        "description": None,
        "css": "",
        "slug": DASHBOARD_SLUG,
        "certified_by": None,
        "certification_details": None,
        "published": True,
        "uuid": str(uuid.uuid5(NAMESPACE, "dashboard")),
        "version": VERSION,
        "position": position,
        "metadata": {
            "native_filter_configuration": [],
            "color_scheme": "",
            "refresh_frequency": 0,
            "expanded_slices": {},
            "label_colors": {},
            "timed_refresh_immune_slices": [],
            "cross_filters_enabled": False,
            "default_filters": "{}",
            "chart_configuration": {},
            "global_chart_configuration": {},
            "shared_label_colors": [],
            "map_label_colors": {},
            "color_scheme_domain": [],
        },
    }


def sqlalchemy_uri(published_database: Path) -> str:
    """duckdb-engine's URI of the published file, read-only (four slashes before an absolute path).

    The path stays the stable link `published/fukan.duckdb` (not resolved to a version), and
    Superset opens a new connection per query, so every query reads the live version."""
    return f"duckdb:///{published_database.absolute().as_posix()}?access_mode=read_only"


def build_bundle(published_database: Path) -> bytes:
    """The zip Superset imports; the database entry names the stable `published/fukan.duckdb` link."""
    database_uuid = str(uuid.uuid5(NAMESPACE, "database"))
    files: dict[str, dict[str, Any]] = {
        "metadata.yaml": {"version": VERSION, "type": "Dashboard", "timestamp": datetime.now(UTC).isoformat()},
        "databases/fukan.yaml": {
            "database_name": "fukan",
            "sqlalchemy_uri": sqlalchemy_uri(published_database),
            "expose_in_sqllab": True,
            "allow_run_async": False,
            "allow_ctas": False,
            "allow_cvas": False,
            "allow_dml": False,
            "allow_file_upload": False,
            "cache_timeout": None,
            "extra": {"allows_virtual_table_explore": True},
            "uuid": database_uuid,
            "version": VERSION,
        },
    }
    with duckdb.connect(str(published_database), read_only=True) as con:
        kpis = [
            row[0]
            for row in con.execute(
                "select distinct kpi from kpi.kpi_target_pacing where target_level = 'department' order by 1"
            ).fetchall()
        ]
        rows = charts(kpis)
        for dataset in {chart.dataset.name: chart.dataset for row in rows for chart in row}.values():
            files[f"datasets/fukan/{dataset.name}.yaml"] = _dataset_file(con, dataset, database_uuid)
    for chart in (chart for row in rows for chart in row):
        files[f"charts/{chart.name}.yaml"] = _chart_file(chart)
    files[f"dashboards/{DASHBOARD_SLUG}.yaml"] = _dashboard_file(rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, content in files.items():
            bundle.writestr(f"fukan_dashboard/{name}", yaml.safe_dump(content, allow_unicode=True, sort_keys=False))
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("published_database", type=Path, help="warehouse/published/fukan.duckdb")
    parser.add_argument("out", type=Path, help="the zip to write")
    args = parser.parse_args()
    args.out.write_bytes(build_bundle(args.published_database))
    print(args.out)


if __name__ == "__main__":
    main()
