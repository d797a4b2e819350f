-- Along a target's days, the target to date never falls and moves only on business
-- days: flat on weekends and holidays, and 0 on a period's opening non-business days.
-- Fails with the offending day.
with

pacing as (select * from {{ ref('kpi_target_pacing') }}),

with_previous as (
    select
        calendar_date,
        is_business_day,
        department,
        kpi,
        owner_user_id,
        team_id,
        period_grain,
        period_start,
        target_to_date,
        lag(target_to_date) over (
            partition by department, kpi, owner_user_id, team_id, period_grain, period_start
            order by calendar_date
        ) as previous_target_to_date
    from pacing
)

select *
from with_previous
where
    (previous_target_to_date is null and not is_business_day and target_to_date <> 0)
    or target_to_date < previous_target_to_date
    or (not is_business_day and target_to_date <> previous_target_to_date)
