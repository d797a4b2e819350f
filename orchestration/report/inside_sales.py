"""The report's inside-sales sections by purpose and by speed: the role view
(kpi_inside_sales_roles) and speed to lead (kpi_inside_sales_speed_to_lead), per team.

Both show the latest complete month. A team lead reviews a role's calls, appointments and
wins month by month, and a complete month is final (its activities and wins are dated in
it); it is also the month of the benchmark and neglect sections, so the inside-sales part
of the page reads one month. Rows are the marts' own, only grouped here for the page:
nothing is summed or divided.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from orchestration.report.charts import GENERAL_COLOUR, QUALITY_COLOUR, _layout
from orchestration.report.labels import Labels

ROLES = ("nurture", "recycle", "upsell", "outbound", "all")
RESPONSE_BUCKETS = ("within_1_hour", "1_to_4_hours", "same_business_day", "later", "never", "all")

_LATEST_COMPLETE_MONTH = """
    period_grain = 'month' and period_start = (
        select max(period_start) from kpi.{mart} where period_grain = 'month' and is_period_complete
    )
"""

# Team rows (rep 'all'), every role; the no_lead class only splits calls, so the page's
# quality split reads quality and general beside all.
ROLES_SQL = f"""
    select
        period_start, team_id, team_name, sales_role, lead_quality, calls, connected_calls, contact_rate,
        appointments, appointment_rate, opportunities, opportunities_per_appointment, won, won_per_opportunity,
        won_amount
    from kpi.kpi_inside_sales_roles
    where rep_user_id = 'all' and lead_quality in ('all', 'quality', 'general')
        and {_LATEST_COMPLETE_MONTH.format(mart="kpi_inside_sales_roles")}
    order by team_name, team_id
"""

# Each team and rep over all buckets (the medians sit only there), and each team's buckets.
SPEED_TO_LEAD_SQL = f"""
    select
        period_start, team_id, team_name, rep_user_id, rep_name, response_bucket, lead_quality, leads,
        attempted_leads, leads_attempted_within_sla, within_sla_share, median_business_minutes_to_first_attempt,
        connected_leads, median_business_minutes_to_first_connect, leads_with_appointment, lead_to_appointment_rate,
        leads_with_opportunity, lead_to_opportunity_rate
    from kpi.kpi_inside_sales_speed_to_lead
    where (rep_user_id = 'all' or response_bucket = 'all')
        and {_LATEST_COMPLETE_MONTH.format(mart="kpi_inside_sales_speed_to_lead")}
    order by team_name, team_id, rep_user_id <> 'all', rep_name, rep_user_id
"""


@dataclass(frozen=True)
class Team:
    """One team's rows of a section, each under its key (e.g. role and lead quality)."""

    team_id: str
    team_name: str
    reps: tuple[tuple[str, str], ...]  # (rep_user_id, name) in the rows' order; none in the role view
    rows: dict[tuple[str, ...], dict[str, Any]]

    def row(self, *key: str) -> dict[str, Any]:
        """The mart's row, or {} where the mart has none (each figure then reads "—")."""
        return self.rows.get(key, {})


def teams(rows: pd.DataFrame, keys: tuple[str, ...]) -> list[Team]:
    """The rows grouped by team, in their order, each under the values of its `keys` columns."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows.to_dict("records"):
        grouped.setdefault(row["team_id"], []).append(row)
    return [
        Team(
            team_id=team_id,
            team_name=team_rows[0]["team_name"],
            reps=tuple(
                dict.fromkeys(
                    (row["rep_user_id"], row["rep_name"] or row["rep_user_id"])
                    for row in team_rows
                    if row.get("rep_user_id", "all") != "all"
                )
            ),
            rows={tuple(row[key] for key in keys): row for row in team_rows},
        )
        for team_id, team_rows in grouped.items()
    ]


def conversion_by_bucket(speed_to_lead: pd.DataFrame, t: Labels) -> go.Figure:
    """Per team, the lead -> appointment rate of each response bucket, quality against
    general leads: what a fast first attempt is worth. A bucket without leads draws no bar."""
    by_team = teams(speed_to_lead, ("rep_user_id", "response_bucket", "lead_quality"))
    buckets = RESPONSE_BUCKETS[:-1]
    figure = make_subplots(
        rows=1, cols=len(by_team), shared_yaxes=True, subplot_titles=[team.team_name for team in by_team]
    )
    for column, team in enumerate(by_team, start=1):
        for quality, colour in (("quality", QUALITY_COLOUR), ("general", GENERAL_COLOUR)):
            figure.add_trace(
                go.Bar(
                    name=t[quality],
                    x=[t.response_bucket(bucket) for bucket in buckets],
                    y=[team.row("all", bucket, quality).get("lead_to_appointment_rate") for bucket in buckets],
                    marker={"color": colour},
                    legendgroup=quality,
                    showlegend=column == 1,
                ),
                row=1,
                col=column,
            )
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    figure.update_yaxes(title=t["lead_to_appointment_rate"], col=1)
    figure.update_layout(barmode="group")
    _layout(figure, t["chart_speed_to_lead"], height=340)
    # The subplot titles (team names) sit where plotly put them, the chart title above them.
    return figure.update_layout(margin={"t": 80})
