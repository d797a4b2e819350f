{#- What this mart and each of its columns mean: _kpi_target_daily.yml. It reads
    kpi_target_pacing, where the target to date is defined, and adds the day's and the
    week's share of the period target, the gap to date and the pace that still lands
    the period target. -#}
with

pacing as (select * from {{ ref('kpi_target_pacing') }}),

dates as (select * from {{ ref('dim_dates') }}),

periods as (
    select distinct
        period_start,
        period_end_date
    from pacing
),

-- Business days of each target period in each ISO week, future days of the week included.
period_weeks as (
    select
        periods.period_start,
        periods.period_end_date,
        dates.week_start,
        sum(case when dates.is_business_day then 1 else 0 end) as business_days_in_week
    from periods
    inner join dates
        on
            periods.period_start <= dates.calendar_date
            and periods.period_end_date >= dates.calendar_date
    group by periods.period_start, periods.period_end_date, dates.week_start
),

daily as (
    select
        pacing.*,
        dates.week_start,
        period_weeks.business_days_in_week,
        -- From the start of the day: the day itself counts when it is a business day.
        pacing.business_days_in_period - pacing.business_days_elapsed
        + case when pacing.is_business_day then 1 else 0 end as business_days_remaining,
        sum(pacing.actual_value) over (
            partition by
                pacing.department, pacing.kpi, pacing.owner_user_id, pacing.team_id, pacing.period_grain,
                pacing.period_start, dates.week_start
            order by pacing.calendar_date rows between unbounded preceding and current row
        ) as week_actual_to_date
    from pacing
    inner join dates
        on pacing.calendar_date = dates.calendar_date
    inner join period_weeks
        on
            pacing.period_start = period_weeks.period_start
            and pacing.period_end_date = period_weeks.period_end_date
            and dates.week_start = period_weeks.week_start
),

recovery as (
    select
        daily.*,
        daily.target_value - (daily.actual_to_date - daily.actual_value) as remaining_target
    from daily
)

select
    calendar_date,
    week_start,
    is_business_day,
    is_as_of_date,
    department,
    kpi,
    target_level,
    owner_user_id,
    owner_name,
    team_id,
    team_name,
    period_grain,
    target_source,
    period_start,
    period_end_date,
    business_days_in_period,
    business_days_elapsed,
    cast(business_days_remaining as {{ dbt.type_bigint() }}) as business_days_remaining,
    cast(business_days_in_week as {{ dbt.type_bigint() }}) as business_days_in_week,
    target_value,
    cast(
        case when is_business_day then target_value / business_days_in_period else 0 end as {{ type_double() }}
    ) as day_target,
    {{ safe_divide('target_value * business_days_in_week', 'business_days_in_period') }} as week_target,
    target_to_date,
    actual_value,
    cast(week_actual_to_date as {{ type_double() }}) as week_actual_to_date,
    actual_to_date,
    cast(actual_to_date - target_to_date as {{ type_double() }}) as gap_to_date,
    cast(case when remaining_target > 0 then remaining_target else 0 end as {{ type_double() }}) as remaining_target,
    cast(
        case
            when business_days_remaining > 0
                then case when remaining_target > 0 then remaining_target else 0 end / business_days_remaining
        end as {{ type_double() }}
    ) as required_daily_pace
from recovery
