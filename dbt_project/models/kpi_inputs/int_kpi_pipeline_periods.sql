{#- The periods the pipeline marts report: every week, month, fiscal quarter and fiscal
    half (上期/下期) of the reporting range (int_kpi_reporting_periods, so dim_dates holds
    the one definition of each), with the day at whose start the pipeline that closes
    the period is read: the day after its end, or after the as-of date for the running
    period (the state at the as-of instant). -#}
with

reporting_periods as (select * from {{ ref('int_kpi_reporting_periods') }}),

periods as (
    select distinct
        reporting_periods.period_grain,
        reporting_periods.period_start,
        reporting_periods.period_end_date,
        reporting_periods.is_period_complete,
        reporting_periods.as_of_date
    from reporting_periods
    where reporting_periods.period_grain in ('week', 'month', 'fiscal_quarter', 'fiscal_half')
)

select
    cast(periods.period_grain as {{ dbt.type_string() }}) as period_grain,
    cast(periods.period_start as date) as period_start,
    cast(periods.period_end_date as date) as period_end_date,
    periods.is_period_complete,
    periods.as_of_date,
    cast(
        {{ dbt.dateadd(
            'day', 1, 'case when periods.is_period_complete then periods.period_end_date else periods.as_of_date end'
        ) }}
        as date
    ) as closing_read_date
from periods
