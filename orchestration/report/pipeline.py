"""The report's pipeline sections: the quarter's pipeline waterfall and the won-amount
forecast (着地見込) against the target, company-wide, from kpi_pipeline_waterfall and
kpi_pipeline_forecast.

Quarters shown: the latest complete fiscal quarter and the running one. The waterfall's
company-wide figures are the sums of the mart's owner rows (every column is additive, and
the identity start + movements = end holds on each row, so it holds on the sum); the
forecast mart is company-wide already, so its rows are shown as they are.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import plotly.graph_objects as go

from orchestration.report.charts import ACCENT, GENERAL_COLOUR, QUALITY_COLOUR, _layout
from orchestration.report.formatting import Periods

MILLION = 1e6  # the charts draw amounts in millions of yen; the tables beside them give every yen

_QUARTERS = """
    period_grain = 'fiscal_quarter' and (
        not is_period_complete
        or period_start = (
            select max(period_start) from kpi.{mart} where period_grain = 'fiscal_quarter' and is_period_complete
        )
    )
"""


class Step(NamedTuple):
    """A bar of the waterfall: its label key, the mart's amount and count columns, and how
    it moves the pipeline (absolute: a level; +1 adds; -1 takes away)."""

    key: str
    amount: str
    count: str | None
    sign: int | None


WATERFALL_STEPS = (
    Step("pipeline_start", "start_amount", "start_opportunities", None),
    Step("pipeline_created", "created_amount", "created_opportunities", 1),
    Step("pipeline_reopened", "reopened_amount", "reopened_opportunities", 1),
    Step("pipeline_pulled_in", "pulled_in_amount", "pulled_in_opportunities", 1),
    Step("pipeline_pushed_out", "pushed_out_amount", "pushed_out_opportunities", -1),
    Step("pipeline_won", "won_amount", "won_opportunities", -1),
    Step("pipeline_lost", "lost_amount", "lost_opportunities", -1),
    Step("pipeline_amount_change", "amount_change", None, 1),
    Step("pipeline_end", "end_amount", "end_opportunities", None),
)
_SUMMED = ", ".join(
    f"sum({column}) as {column}" for step in WATERFALL_STEPS for column in (step.amount, step.count) if column
)

WATERFALL_SQL = f"""
    select period_start, period_end_date, is_period_complete, {_SUMMED}
    from kpi.kpi_pipeline_waterfall
    where {_QUARTERS.format(mart="kpi_pipeline_waterfall")}
    group by period_start, period_end_date, is_period_complete
    order by period_start
"""

# The complete quarter's forecast taken at its start (with the actual it is measured
# against), the running quarter's at its start and on the as-of date.
FORECAST_SQL = f"""
    select *
    from kpi.kpi_pipeline_forecast
    where {_QUARTERS.format(mart="kpi_pipeline_forecast")}
    order by period_start, forecast_point desc
"""


def quarter(row: dict, periods: Periods) -> str:
    """2026年度 2Q, with (進行中) for the running quarter."""
    running = "" if row["is_period_complete"] else f" ({periods.t['period_running']})"
    return periods.period(row["period_start"], "fiscal_quarter") + running


def waterfall(row: dict, periods: Periods) -> go.Figure:
    """One quarter's waterfall: start, each movement, end (the running quarter's end is the
    as-of instant). The end bar is the mart's end amount, drawn from zero."""
    t = periods.t
    labels = [t[step.key] for step in WATERFALL_STEPS]
    if not row["is_period_complete"]:
        labels[-1] = t["forecast_as_of"]
    values = [(step.sign or 1) * float(row[step.amount] or 0) / MILLION for step in WATERFALL_STEPS]
    figure = go.Figure(
        go.Waterfall(
            x=labels,
            y=values,
            measure=["absolute" if step.sign is None else "relative" for step in WATERFALL_STEPS],
            text=[  # + 0.0: a movement of nothing reads +0.0, not -0.0
                f"{value:,.1f}" if step.sign is None else f"{value + 0.0:+,.1f}"
                for step, value in zip(WATERFALL_STEPS, values, strict=True)
            ],
            textposition="outside",
            cliponaxis=False,
            increasing={"marker": {"color": QUALITY_COLOUR}},
            decreasing={"marker": {"color": ACCENT}},
            totals={"marker": {"color": "#2f5d6e"}},
            connector={"line": {"color": GENERAL_COLOUR}},
            hoverinfo="x+text",
        )
    )
    figure.update_layout(showlegend=False, yaxis={"title": t["amount_axis"], "rangemode": "tozero"})
    return _layout(figure, quarter(row, periods), height=400)


def forecast(rows: pd.DataFrame, periods: Periods) -> go.Figure:
    """Per quarter and forecast point: won to date, then the open amount by forecast column
    (commit, best case, pipeline) stacked on it, with the forecast, the target and, once the
    quarter is over, the actual marked on the same axis."""
    t = periods.t
    names = [f"{quarter(row, periods)} · {t['forecast_' + row['forecast_point']]}" for row in rows.to_dict("records")]
    figure = go.Figure()
    for column, colour in (
        ("won_to_date_amount", "#2f5d6e"),
        ("commit_amount", QUALITY_COLOUR),
        ("best_case_amount", "#7fb3c4"),
        ("pipeline_amount", GENERAL_COLOUR),
    ):
        figure.add_trace(
            go.Bar(name=t[column], y=names, x=_millions(rows[column]), orientation="h", marker={"color": colour})
        )
    for column, symbol, colour in (
        ("forecast_amount", "diamond", ACCENT),
        ("target_amount", "line-ns", "#333333"),
        ("actual_won_amount", "star", "#1e7b34"),
    ):
        figure.add_trace(
            go.Scatter(
                name=t[column],
                y=names,
                x=_millions(rows[column]),
                mode="markers",
                marker={"symbol": symbol, "size": 16, "color": colour, "line": {"width": 3, "color": colour}},
            )
        )
    figure.update_layout(barmode="stack", xaxis={"title": t["amount_axis"]}, yaxis={"autorange": "reversed"})
    _layout(figure, t["chart_forecast"], height=max(300, 140 + 56 * len(names)))
    # The legend below the axis title, not over it.
    return figure.update_layout(margin={"b": 110}, legend={"y": -0.35, "yanchor": "top"})


def _millions(amounts: pd.Series) -> pd.Series:
    """Amounts in millions of yen; a null (no target, no actual yet) stays null, so no mark is drawn."""
    return pd.to_numeric(amounts, errors="coerce") / MILLION


def figures(waterfall_rows: pd.DataFrame, forecast_rows: pd.DataFrame, periods: Periods) -> dict[str, go.Figure]:
    """The pipeline charts that have rows to draw, by the name the template places them under."""
    drawn = {
        f"pipeline_waterfall_{number}": waterfall(row, periods)
        for number, row in enumerate(waterfall_rows.to_dict("records"))
    }
    if not forecast_rows.empty:
        drawn["pipeline_forecast"] = forecast(forecast_rows, periods)
    return drawn
