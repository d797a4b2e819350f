{#- kpi_funnel_overview: at every grain, each period from the first to the last one in the
    mart is present (a period without leads keeps its row of zeros), on both bases.
    Fails with one row per grain and basis whose period count falls short of the calendar. -#}
{%- set grains = [('day', 'calendar_date'), ('week', 'week_start'), ('month', 'month_start'),
                  ('fiscal_quarter', 'fiscal_quarter_start'), ('fiscal_half', 'fiscal_half_start'),
                  ('fiscal_year', 'fiscal_year_start')] %}
with

overview as (select * from {{ ref('kpi_funnel_overview') }}),

dates as (select * from {{ ref('dim_dates') }}),

mart_periods as (
    select
        basis,
        period_grain,
        min(period_start) as first_period_start,
        max(period_start) as last_period_start,
        count(distinct period_start) as periods
    from overview
    group by basis, period_grain
),

calendar_periods as (
    {%- for grain, column in grains %}
        select distinct
            '{{ grain }}' as period_grain,
            {{ column }} as period_start
        from dates
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

expected as (
    select
        mart_periods.basis,
        mart_periods.period_grain,
        mart_periods.periods,
        count(*) as calendar_periods
    from mart_periods
    inner join calendar_periods
        on
            mart_periods.period_grain = calendar_periods.period_grain
            and calendar_periods.period_start between mart_periods.first_period_start and mart_periods.last_period_start
    group by mart_periods.basis, mart_periods.period_grain, mart_periods.periods
)

select *
from expected
where periods <> calendar_periods
