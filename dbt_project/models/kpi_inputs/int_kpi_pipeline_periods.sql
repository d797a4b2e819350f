{#- The periods the pipeline marts report: every week, month, fiscal quarter and fiscal
    half (上期/下期) of the reporting range, with the day at whose start the pipeline
    that closes the period is read (the day after its end, or after the as-of date for
    the running period: the state at the as-of instant). Fiscal halves are cut from the
    fiscal year start (var fiscal_year_start_month). -#}
with

reporting_periods as (select * from {{ ref('int_kpi_reporting_periods') }}),

dates as (select * from {{ ref('dim_dates') }}),

listed_periods as (
    select distinct
        period_grain,
        period_start,
        period_end_date,
        is_period_complete,
        as_of_date
    from reporting_periods
    where period_grain in ('week', 'month', 'fiscal_quarter')
),

half_days as (
    select
        reporting_periods.as_of_date,
        case
            when reporting_periods.calendar_date >= {{ dbt.dateadd('month', 6, 'dates.fiscal_year_start') }}
                then cast({{ dbt.dateadd('month', 6, 'dates.fiscal_year_start') }} as date)
            else dates.fiscal_year_start
        end as period_start
    from reporting_periods
    inner join dates
        on reporting_periods.calendar_date = dates.calendar_date
    where reporting_periods.period_grain = 'day'
),

halves as (
    select distinct
        'fiscal_half' as period_grain,
        period_start,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 6, 'period_start')) }} as date) as period_end_date,
        as_of_date
    from half_days
),

periods as (
    select * from listed_periods

    union all

    select
        period_grain,
        period_start,
        period_end_date,
        period_end_date <= as_of_date as is_period_complete,
        as_of_date
    from halves
)

select
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    cast(period_start as date) as period_start,
    cast(period_end_date as date) as period_end_date,
    is_period_complete,
    as_of_date,
    cast(
        {{ dbt.dateadd('day', 1, 'case when is_period_complete then period_end_date else as_of_date end') }}
        as date
    ) as closing_read_date
from periods
