{#- What this mart and each of its columns mean: _kpi_inside_sales_teams.yml, the one place
    its KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{%- set counts = ['reps', 'active_reps', 'business_days', 'business_days_in_period', 'rep_worked_days']
    + inside_sales_counts()
    + ['open_leads', 'neglected_leads', 'held_meetings', 'held_meetings_with_opportunity'] %}
{%- set rates = inside_sales_rates() | list %}
with

team_periods as (select * from {{ ref('int_kpi_inside_sales_team_periods') }})

select
    period_grain,
    period_start,
    period_end_date,
    is_period_complete,
    is_meeting_window_closed,
    team_id,
    team_name,
    {%- for count in counts %}
        cast({{ count }} as {{ dbt.type_bigint() }}) as {{ count }},
    {%- endfor %}
{%- for rate in rates %}
    cast({{ rate }} as {{ type_double() }}) as {{ rate }}
    {{- ',' if not loop.last }}
{%- endfor %}
from team_periods
