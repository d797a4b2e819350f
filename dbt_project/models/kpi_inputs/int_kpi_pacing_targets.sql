{#- One row per target of seeds/kpi_targets.csv (period grain, period start, department,
    KPI, owner or team): the period's last day and business days, and the key of the
    actuals series the target is measured against. owner_key is the owner's user id, the
    team's id for a team-level target (team_id set), or '(department)' for a
    department-level target (both empty), so that targets and actuals can be joined on it
    (a join never matches nulls). CRM user and role ids never collide. -#}
with

targets as (select * from {{ ref('kpi_targets') }}),

dates as (select * from {{ ref('dim_dates') }}),

targets_with_end as (
    select
        period_grain,
        cast(period_start as date) as period_start,
        cast(
            {{ dbt.dateadd(
                'day', -1,
                dbt.dateadd('month', "case when period_grain = 'fiscal_quarter' then 3 else 1 end", 'period_start')
            ) }}
            as date
        ) as period_end_date,
        department,
        kpi,
        {{ empty_as_null('trim(owner_id)') }} as owner_user_id,
        {{ empty_as_null('trim(team_id)') }} as team_id,
        cast(target_value as {{ type_double() }}) as target_value
    from targets
)

select
    targets_with_end.period_grain,
    targets_with_end.period_start,
    targets_with_end.period_end_date,
    targets_with_end.department,
    targets_with_end.kpi,
    targets_with_end.owner_user_id,
    targets_with_end.team_id,
    coalesce(targets_with_end.owner_user_id, targets_with_end.team_id, '(department)') as owner_key,
    targets_with_end.target_value,
    sum(case when dates.is_business_day then 1 else 0 end) as business_days_in_period,
    max(case when dates.is_business_day then dates.calendar_date end) as last_business_date
from targets_with_end
inner join dates
    on
        targets_with_end.period_start <= dates.calendar_date
        and targets_with_end.period_end_date >= dates.calendar_date
group by
    targets_with_end.period_grain,
    targets_with_end.period_start,
    targets_with_end.period_end_date,
    targets_with_end.department,
    targets_with_end.kpi,
    targets_with_end.owner_user_id,
    targets_with_end.team_id,
    targets_with_end.target_value
