{#- The reporting calendar of the KPI marts: every date from the first date with data to
    the as-of date, mapped onto its period at each grain (day, ISO week, month, fiscal
    quarter, fiscal half-year, fiscal year). Joining an event date here and grouping by
    (period_grain, period_start) counts it once per grain; the distinct periods are the
    spine that gives a period without events its row of zeros. -#}
{%- set grains = [
    ('day', 'calendar_date'),
    ('week', 'week_start'),
    ('month', 'month_start'),
    ('fiscal_quarter', 'fiscal_quarter_start'),
    ('fiscal_half', 'fiscal_half_start'),
    ('fiscal_year', 'fiscal_year_start'),
] %}
with

dates as (select * from {{ ref('dim_dates') }}),

leads as (select * from {{ ref('fct_leads') }}),

funnel_events as (select * from {{ ref('fct_funnel_events') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

as_of as (select * from {{ ref('int_as_of') }}),

first_data_dates as (
    select min(created_date) as first_date from leads
    where reached_lead
    union all
    select min(step_date) from funnel_events
    union all
    select min(created_date) from opportunities
),

reporting_range as (
    select
        first_data.first_date,
        {{ to_reporting_date('as_of.as_of_at') }} as as_of_date
    from (select min(first_date) as first_date from first_data_dates) as first_data
    cross join as_of
),

date_periods as (
    {%- for grain, column in grains %}
        select
            calendar_date,
            '{{ grain }}' as period_grain,
            {{ column }} as period_start
        from dates
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

period_ends as (
    select
        period_grain,
        period_start,
        max(calendar_date) as period_end_date
    from date_periods
    group by period_grain, period_start
)

select
    date_periods.calendar_date,
    cast(date_periods.period_grain as {{ dbt.type_string() }}) as period_grain,
    cast(date_periods.period_start as date) as period_start,
    cast(period_ends.period_end_date as date) as period_end_date,
    period_ends.period_end_date <= reporting_range.as_of_date as is_period_complete,
    reporting_range.as_of_date
from date_periods
inner join reporting_range
    on
        date_periods.calendar_date >= reporting_range.first_date
        and date_periods.calendar_date <= reporting_range.as_of_date
inner join period_ends
    on
        date_periods.period_grain = period_ends.period_grain
        and date_periods.period_start = period_ends.period_start
