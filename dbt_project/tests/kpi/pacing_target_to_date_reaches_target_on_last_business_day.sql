-- Every target whose period's last business day (dim_dates) is on or before the as-of
-- date has a row on that day, and its target to date there is exactly the full target.
-- Fails with one row per target that misses it.
with

pacing as (select * from {{ ref('kpi_target_pacing') }}),

targets as (select * from {{ ref('kpi_targets') }}),

dates as (select * from {{ ref('dim_dates') }}),

as_of as (select {{ to_reporting_date('as_of_at') }} as as_of_date from {{ ref('int_as_of') }}),

last_business_days as (
    select
        targets.period_grain,
        cast(targets.period_start as date) as period_start,
        targets.department,
        targets.kpi,
        {{ empty_as_null('trim(targets.owner_id)') }} as owner_user_id,
        {{ empty_as_null('trim(targets.team_id)') }} as team_id,
        cast(targets.target_value as {{ type_double() }}) as target_value,
        max(dates.calendar_date) as last_business_date
    from targets
    inner join dates
        on
            dates.calendar_date >= cast(targets.period_start as date)
            and dates.is_business_day
            and (
                (targets.period_grain = 'month' and dates.month_start = cast(targets.period_start as date))
                or (
                    targets.period_grain = 'fiscal_quarter'
                    and dates.fiscal_quarter_start = cast(targets.period_start as date)
                )
            )
    group by 1, 2, 3, 4, 5, 6, 7
)

select
    last_business_days.*,
    pacing.target_to_date
from last_business_days
cross join as_of
left join pacing
    on
        last_business_days.last_business_date = pacing.calendar_date
        and last_business_days.period_grain = pacing.period_grain
        and last_business_days.department = pacing.department
        and last_business_days.kpi = pacing.kpi
        and coalesce(pacing.owner_user_id, '') = coalesce(last_business_days.owner_user_id, '')
        and coalesce(pacing.team_id, '') = coalesce(last_business_days.team_id, '')
where
    last_business_days.last_business_date <= as_of.as_of_date
    and (pacing.target_to_date is null or pacing.target_to_date <> last_business_days.target_value)
