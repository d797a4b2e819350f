{#- Each opportunity's state as it stood at the start (00:00, reporting time zone) of
    each day the pipeline marts read: every period start and every period's closing day
    (int_kpi_pipeline_periods; for the running period the day after the as-of date,
    which is the state at the as-of instant). Kept: open opportunities, and closed ones
    whose close date falls in a period that day reads (the forecast's won to date).
    Grain: one row per read_date and opportunity_id. -#}
with

periods as (select * from {{ ref('int_kpi_pipeline_periods') }}),

intervals as (select * from {{ ref('int_opportunity_history_intervals') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

read_days as (
    select period_start as read_date from periods
    union
    select closing_read_date from periods
),

{#- Closed deals matter to a read day only when their close date falls in a period that
    starts that day or that holds the day before it. #}

read_dates as (
    select
        read_days.read_date,
        least(read_days.read_date, coalesce(min(periods.period_start), read_days.read_date)) as closed_from
    from read_days
    left join periods
        on
            periods.period_start <= {{ dbt.dateadd('day', -1, 'read_days.read_date') }}
            and periods.period_end_date >= {{ dbt.dateadd('day', -1, 'read_days.read_date') }}
    group by read_days.read_date
)

select
    cast(read_dates.read_date as date) as read_date,
    intervals.opportunity_id,
    opportunities.owner_user_id,
    coalesce(opportunities.lead_quality, opportunities.origin) as lead_quality,
    intervals.stage_name,
    intervals.stage_order,
    intervals.forecast_category,
    intervals.forecast_column,
    intervals.is_open,
    intervals.is_won,
    intervals.is_lost,
    coalesce(intervals.amount, 0) as amount,
    intervals.close_date,
    intervals.win_probability
from read_dates
inner join intervals
    on
        read_dates.read_date > intervals.valid_from_date
        and read_dates.read_date <= coalesce(intervals.valid_to_date, cast('9999-12-31' as date))
inner join opportunities
    on intervals.opportunity_id = opportunities.opportunity_id
where intervals.is_open or intervals.close_date >= read_dates.closed_from
