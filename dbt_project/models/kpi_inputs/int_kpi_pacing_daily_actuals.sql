{#- One row per actuals series (department x KPI x owner_key, one per distinct target
    key in seeds/kpi_targets.csv) and calendar day, from the start of the week or fiscal
    half-year holding its first target period (whichever is earlier) to the as-of date or
    the end of its last target period (whichever is earlier): the day's actual and the
    week-, month-, fiscal-quarter- and fiscal-half-to-date actuals of the series. -#}
with

targets as (select * from {{ ref('int_kpi_pacing_targets') }}),

actuals_by_day as (select * from {{ ref('int_kpi_pacing_actuals_by_day') }}),

dates as (select * from {{ ref('dim_dates') }}),

as_of as (select * from {{ ref('int_as_of') }}),

as_of_date as (
    select {{ to_reporting_date('as_of_at') }} as as_of_date
    from as_of
),

series as (
    select
        department,
        kpi,
        owner_key,
        min(owner_user_id) as owner_user_id,
        min(team_id) as team_id,
        min(period_start) as first_period_start,
        max(period_end_date) as last_period_end
    from targets
    group by department, kpi, owner_key
),

series_ranges as (
    select
        series.department,
        series.kpi,
        series.owner_key,
        series.owner_user_id,
        series.team_id,
        case
            when first_day.week_start < first_day.fiscal_half_start then first_day.week_start
            else first_day.fiscal_half_start
        end as series_start,
        case
            when series.last_period_end < as_of_date.as_of_date then series.last_period_end
            else as_of_date.as_of_date
        end as series_end
    from series
    cross join as_of_date
    inner join dates as first_day
        on series.first_period_start = first_day.calendar_date
),

series_days as (
    select
        series_ranges.department,
        series_ranges.kpi,
        series_ranges.owner_key,
        series_ranges.owner_user_id,
        series_ranges.team_id,
        dates.calendar_date,
        dates.week_start,
        dates.month_start,
        dates.fiscal_quarter_start,
        dates.fiscal_half_start
    from series_ranges
    inner join dates
        on
            series_ranges.series_start <= dates.calendar_date
            and series_ranges.series_end >= dates.calendar_date
),

daily as (
    select
        series_days.department,
        series_days.kpi,
        series_days.owner_key,
        series_days.owner_user_id,
        series_days.calendar_date,
        series_days.week_start,
        series_days.month_start,
        series_days.fiscal_quarter_start,
        series_days.fiscal_half_start,
        coalesce(sum(actuals_by_day.actual_value), 0) as actual_value
    from series_days
    left join actuals_by_day
        on
            series_days.kpi = actuals_by_day.kpi
            and series_days.calendar_date = actuals_by_day.actual_date
            and (
                series_days.owner_user_id = actuals_by_day.owner_user_id
                or series_days.team_id = actuals_by_day.owner_team_id
                or (
                    series_days.owner_user_id is null
                    and series_days.team_id is null
                    and (
                        not actuals_by_day.is_department_scoped
                        or series_days.department = actuals_by_day.owner_department
                    )
                )
            )
    group by
        series_days.department,
        series_days.kpi,
        series_days.owner_key,
        series_days.owner_user_id,
        series_days.calendar_date,
        series_days.week_start,
        series_days.month_start,
        series_days.fiscal_quarter_start,
        series_days.fiscal_half_start
)

select
    department,
    kpi,
    owner_key,
    owner_user_id,
    calendar_date,
    actual_value,
    sum(actual_value) over (
        partition by department, kpi, owner_key, week_start
        order by calendar_date rows between unbounded preceding and current row
    ) as actual_wtd,
    sum(actual_value) over (
        partition by department, kpi, owner_key, month_start
        order by calendar_date rows between unbounded preceding and current row
    ) as actual_mtd,
    sum(actual_value) over (
        partition by department, kpi, owner_key, fiscal_quarter_start
        order by calendar_date rows between unbounded preceding and current row
    ) as actual_qtd,
    sum(actual_value) over (
        partition by department, kpi, owner_key, fiscal_half_start
        order by calendar_date rows between unbounded preceding and current row
    ) as actual_htd
from daily
