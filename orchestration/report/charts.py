"""The report's charts: plotly figures drawn from published mart rows, labelled in one
language. Each function takes the rows as read and returns a figure; nothing here
computes a KPI (rates come from the marts), so a chart can never disagree with BI.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from orchestration.report.formatting import Periods
from orchestration.report.labels import FUNNEL_STEPS, Labels

QUALITY_COLOUR = "#1f6f8b"
GENERAL_COLOUR = "#c7ccd1"
ACCENT = "#e07a1f"
# The page's and the charts' fonts: Japanese fonts first (Linux, then macOS, then Windows),
# so a machine without a Japanese system font still finds one before the generic family.
FONT_FAMILY = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif'
_STEP_EVENT_COLUMNS = ("appointments", "handed_off", "opportunities", "won")
_STEP_OF_COLUMN = {column: step for column, step, _ in FUNNEL_STEPS}


def _by_month(figure: go.Figure, t: Labels) -> go.Figure:
    """Month axes and hover labels in the page's language (2026年9月, not Sep 2026, on the Japanese page)."""
    figure.update_xaxes(tickformat=t["month_axis"], hoverformat=t["month_axis"])
    return figure


def _layout(figure: go.Figure, title: str, height: int = 360) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        height=height,
        margin={"l": 60, "r": 30, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        plot_bgcolor="white",
        font={"family": FONT_FAMILY},
    )
    figure.update_xaxes(gridcolor="#eceff1")
    figure.update_yaxes(gridcolor="#eceff1")
    return figure


def funnel(overview: pd.DataFrame, t: Labels) -> go.Figure:
    """Quality and general leads through the nine steps: where each class leaks."""
    figure = go.Figure()
    for quality, colour in (("quality", QUALITY_COLOUR), ("general", GENERAL_COLOUR)):
        row = overview.loc[overview.lead_quality == quality].iloc[0]
        figure.add_trace(
            go.Funnel(
                name=t[quality],
                y=[t.step(step) for _, step, _ in FUNNEL_STEPS],
                x=[int(row[column]) for column, _, _ in FUNNEL_STEPS],
                marker={"color": colour},
                textinfo="value+percent initial",
            )
        )
    return _layout(figure, t["chart_funnel"], height=460)


def leads_by_month(monthly: pd.DataFrame, t: Labels) -> go.Figure:
    """Cohort leads per month, stacked by quality, with the quality-lead rate beside them:
    volume pushed at the expense of quality shows as bars up and the line down."""
    cohort = monthly[(monthly.basis == "cohort") & (monthly.lead_quality == "all")]
    figure = go.Figure()
    for quality, colour in (("quality", QUALITY_COLOUR), ("general", GENERAL_COLOUR)):
        rows = monthly[(monthly.basis == "cohort") & (monthly.lead_quality == quality)]
        figure.add_trace(go.Bar(name=t[quality], x=rows.period_start, y=rows.leads, marker={"color": colour}))
    figure.add_trace(
        go.Scatter(
            name=t["quality_rate"],
            x=cohort.period_start,
            y=cohort.quality_lead_rate_leads,
            mode="lines+markers",
            yaxis="y2",
            line={"color": ACCENT},
        )
    )
    figure.update_layout(
        barmode="stack",
        yaxis={"title": t["leads_axis"]},
        yaxis2={
            "title": t["quality_rate"],
            "overlaying": "y",
            "side": "right",
            "tickformat": ".0%",
            "rangemode": "tozero",
            "showgrid": False,
        },
    )
    return _layout(_by_month(figure, t), t["chart_leads"])


def step_events_by_month(monthly: pd.DataFrame, t: Labels) -> go.Figure:
    """Activity basis: what each department produced per month, downstream of marketing."""
    rows = monthly[(monthly.basis == "activity") & (monthly.lead_quality == "all")]
    figure = go.Figure()
    for column in _STEP_EVENT_COLUMNS:
        figure.add_trace(
            go.Scatter(
                name=t.step(_STEP_OF_COLUMN[column]),
                x=rows.period_start,
                y=rows[column],
                mode="lines+markers",
            )
        )
    figure.update_layout(yaxis={"title": t["count_axis"], "rangemode": "tozero"})
    return _layout(_by_month(figure, t), t["chart_steps"])


def conversion_by_month(monthly: pd.DataFrame, t: Labels) -> go.Figure:
    """Lead-to-won conversion of each month's cohort, quality against general."""
    figure = go.Figure()
    for quality, colour in (("quality", QUALITY_COLOUR), ("general", "#7a8591")):
        rows = monthly[(monthly.basis == "cohort") & (monthly.lead_quality == quality)]
        figure.add_trace(
            go.Scatter(
                name=t[quality],
                x=rows.period_start,
                y=rows.lead_to_won_rate,
                mode="lines+markers",
                line={"color": colour},
            )
        )
    figure.update_layout(yaxis={"title": t["lead_to_won"], "tickformat": ".1%", "rangemode": "tozero"})
    return _layout(_by_month(figure, t), t["chart_conversion"])


def pacing(rows: pd.DataFrame, periods: Periods) -> go.Figure:
    """Attainment to date and projected attainment per department target period, against 100%."""
    t = periods.t
    names = [
        f"{t.department(r.department)} · {t.target_kpi(r.kpi)} · {periods.period(r.period_start, r.period_grain)}"
        f"{'' if r.is_running else ' (' + t['period_closed'] + ')'}"
        for r in rows.itertuples()
    ]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(name=t["attainment"], y=names, x=rows.attainment, orientation="h", marker={"color": QUALITY_COLOUR})
    )
    figure.add_trace(
        go.Bar(
            name=t["projected_attainment"],
            y=names,
            x=rows.projected_attainment,
            orientation="h",
            marker={"color": ACCENT},
        )
    )
    figure.add_vline(x=1, line={"color": "#333", "dash": "dash"})
    figure.update_layout(
        barmode="group", xaxis={"tickformat": ".0%", "rangemode": "tozero"}, yaxis={"autorange": "reversed"}
    )
    return _layout(figure, t["chart_pacing"], height=max(260, 70 + 46 * len(names)))
