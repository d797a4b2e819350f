{#- What this mart and each of its columns mean: _kpi_inside_sales.yml, the one place
    its KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{%- set counts = inside_sales_counts() %}
{%- set levels = ['open_leads', 'neglected_leads'] %}
with

rep_days as (select * from {{ ref('int_kpi_inside_sales_rep_days') }}),

next_actions as (select * from {{ ref('int_kpi_inside_sales_next_actions') }}),

rep_days_with_next_actions as (
    select
        rep_days.*,
        next_actions.open_leads_with_next_action
    from rep_days
    left join next_actions
        on
            rep_days.rep_user_id = next_actions.rep_user_id
            and rep_days.calendar_date = next_actions.as_of_date
)

select
    calendar_date,
    is_business_day,
    week_start,
    month_start,
    fiscal_quarter_start,
    is_as_of_date,
    is_in_tenure,
    is_worked_day,
    rep_user_id,
    rep_name,
    team_id,
    team_name,
    {%- for count in counts %}
        cast({{ count }} as {{ dbt.type_bigint() }}) as {{ count }},
    {%- endfor %}
    {%- for level in levels %}
        cast({{ level }} as {{ dbt.type_bigint() }}) as {{ level }},
    {%- endfor %}
    {%- for rate, (numerator, denominator) in inside_sales_rates().items()
        if numerator in counts + levels and denominator in counts + levels %}
        {{ safe_divide(numerator, denominator) }} as {{ rate }},
    {%- endfor %}
    cast(case when is_as_of_date then coalesce(open_leads_with_next_action, 0) end as {{ dbt.type_bigint() }})
        as open_leads_with_next_action,
    case when is_as_of_date then {{ safe_divide('open_leads_with_next_action', 'open_leads') }} end
        as next_action_coverage
from rep_days_with_next_actions
