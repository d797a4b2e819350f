{#- What this mart and each of its columns mean: _kpi_target_pacing.yml, the one place
    its KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
with

targets as (select * from {{ ref('int_kpi_pacing_targets') }}),

daily_actuals as (select * from {{ ref('int_kpi_pacing_daily_actuals') }}),

dates as (select * from {{ ref('dim_dates') }}),

users as (select * from {{ ref('dim_users') }}),

open_pipeline as (select * from {{ ref('int_kpi_pacing_open_pipeline') }}),

as_of as (select * from {{ ref('int_as_of') }}),

as_of_date as (
    select {{ to_reporting_date('as_of_at') }} as as_of_date
    from as_of
),

owner_names as (
    select
        user_id,
        user_name
    from users
    where is_current
),

team_names as (
    select
        team_id,
        min(team_name) as team_name
    from users
    where is_current
    group by team_id
),

target_days as (
    select
        targets.*,
        dates.calendar_date,
        dates.is_business_day,
        case targets.period_grain
            when 'fiscal_half' then dates.business_day_of_fiscal_half
            when 'fiscal_quarter' then dates.business_day_of_fiscal_quarter
            else dates.business_day_of_month
        end as business_days_elapsed,
        dates.calendar_date = as_of_date.as_of_date as is_as_of_date
    from targets
    cross join as_of_date
    inner join dates
        on
            targets.period_start <= dates.calendar_date
            and targets.period_end_date >= dates.calendar_date
            and as_of_date.as_of_date >= dates.calendar_date
),

paced as (
    select
        target_days.*,
        target_days.target_value
        * {{ safe_divide('target_days.business_days_elapsed', 'target_days.business_days_in_period') }}
            as target_to_date,
        daily_actuals.actual_value,
        case target_days.period_grain
            when 'fiscal_half' then daily_actuals.actual_htd
            when 'fiscal_quarter' then daily_actuals.actual_qtd
            else daily_actuals.actual_mtd
        end as actual_to_date,
        daily_actuals.actual_wtd,
        daily_actuals.actual_mtd,
        daily_actuals.actual_qtd,
        daily_actuals.actual_htd
    from target_days
    inner join daily_actuals
        on
            target_days.department = daily_actuals.department
            and target_days.kpi = daily_actuals.kpi
            and target_days.owner_key = daily_actuals.owner_key
            and target_days.calendar_date = daily_actuals.calendar_date
),

-- Wins and won amount: the open pipeline closing in the target period, weighted by
-- its chance of being won. Only today's pipeline is known, so it serves the as-of date.
weighted_pipeline as (
    select
        targets.department,
        targets.kpi,
        targets.owner_key,
        targets.period_grain,
        targets.period_start,
        {{ exact_sum(
            "open_pipeline.win_probability
            * case when targets.kpi = 'won_amount' then open_pipeline.amount else 1 end"
        ) }} as weighted_open_pipeline
    from targets
    inner join open_pipeline
        on
            targets.period_start <= open_pipeline.close_date
            and targets.period_end_date >= open_pipeline.close_date
            and (
                targets.owner_user_id = open_pipeline.owner_user_id
                or targets.team_id = open_pipeline.owner_team_id
                or (targets.owner_user_id is null and targets.team_id is null)
            )
    where targets.kpi in ('won', 'won_amount')
    group by targets.department, targets.kpi, targets.owner_key, targets.period_grain, targets.period_start
),

with_method as (
    select
        paced.*,
        case
            when paced.kpi in ('won', 'won_amount') and paced.is_as_of_date
                then coalesce(weighted_pipeline.weighted_open_pipeline, 0)
        end as weighted_open_pipeline,
        case
            -- Too early: a few days' pace says nothing about the period.
            when
                paced.business_days_elapsed = 0
                or paced.business_days_elapsed < {{ var('min_elapsed_share') }} * paced.business_days_in_period
                then null
            when paced.kpi in ('won', 'won_amount')
                then case when paced.is_as_of_date then 'won_plus_weighted_pipeline' end
            else 'run_rate'
        end as projection_method
    from paced
    left join weighted_pipeline
        on
            paced.department = weighted_pipeline.department
            and paced.kpi = weighted_pipeline.kpi
            and paced.owner_key = weighted_pipeline.owner_key
            and paced.period_grain = weighted_pipeline.period_grain
            and paced.period_start = weighted_pipeline.period_start
),

projected as (
    select
        with_method.*,
        case with_method.projection_method
            when 'run_rate'
                then
                    with_method.actual_to_date / with_method.business_days_elapsed
                    * with_method.business_days_in_period
            when 'won_plus_weighted_pipeline'
                then with_method.actual_to_date + with_method.weighted_open_pipeline
        end as projected_value
    from with_method
)

select
    projected.calendar_date,
    projected.is_business_day,
    projected.is_as_of_date,
    projected.department,
    projected.kpi,
    projected.owner_user_id,
    owner_names.user_name as owner_name,
    projected.team_id,
    team_names.team_name,
    case
        when projected.owner_user_id is not null then 'owner'
        when projected.team_id is not null then 'team'
        else 'department'
    end as target_level,
    projected.period_grain,
    cast(projected.target_source as {{ dbt.type_string() }}) as target_source,
    projected.period_start,
    projected.period_end_date,
    cast(projected.business_days_in_period as {{ dbt.type_bigint() }}) as business_days_in_period,
    cast(projected.business_days_elapsed as {{ dbt.type_bigint() }}) as business_days_elapsed,
    cast(projected.target_value as {{ type_double() }}) as target_value,
    cast(projected.target_to_date as {{ type_double() }}) as target_to_date,
    cast(projected.actual_value as {{ type_double() }}) as actual_value,
    cast(projected.actual_to_date as {{ type_double() }}) as actual_to_date,
    {{ safe_divide('projected.actual_to_date', 'projected.target_to_date') }} as attainment,
    cast(projected.weighted_open_pipeline as {{ type_double() }}) as weighted_open_pipeline,
    cast(projected.projection_method as {{ dbt.type_string() }}) as projection_method,
    cast(projected.projected_value as {{ type_double() }}) as projected_value,
    {{ safe_divide('projected.projected_value', 'projected.target_value') }} as projected_attainment,
    cast(projected.actual_wtd as {{ type_double() }}) as actual_wtd,
    cast(projected.actual_mtd as {{ type_double() }}) as actual_mtd,
    cast(projected.actual_qtd as {{ type_double() }}) as actual_qtd,
    cast(projected.actual_htd as {{ type_double() }}) as actual_htd
from projected
left join owner_names
    on projected.owner_user_id = owner_names.user_id
left join team_names
    on projected.team_id = team_names.team_id
