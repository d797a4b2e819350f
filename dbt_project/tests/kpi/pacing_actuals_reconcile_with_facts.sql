-- The actual to date on each department-level target's latest day equals an independent
-- count over the facts: leads and quality leads by created date (fct_leads), won
-- opportunities and won amount by close date (fct_opportunities), appointments as
-- meetings booked by booking date (fct_activities, macro is_appointment) and hand-offs
-- by step date (fct_funnel_events). Fails with each target that differs.
with

pacing as (select * from {{ ref('kpi_target_pacing') }}),

leads as (select * from {{ ref('fct_leads') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

funnel_events as (select * from {{ ref('fct_funnel_events') }}),

activities as (select * from {{ ref('fct_activities') }}),

latest_days as (
    select
        department,
        kpi,
        period_grain,
        period_start,
        max(calendar_date) as calendar_date
    from pacing
    where target_level = 'department'
    group by department, kpi, period_grain, period_start
),

latest as (
    select pacing.*
    from pacing
    inner join latest_days
        on
            pacing.department = latest_days.department
            and pacing.kpi = latest_days.kpi
            and pacing.period_grain = latest_days.period_grain
            and pacing.period_start = latest_days.period_start
            and pacing.calendar_date = latest_days.calendar_date
    where pacing.target_level = 'department'
),

fact_records as (
    select
        'leads' as kpi,
        created_date as record_date,
        cast(1 as {{ type_double() }}) as record_value
    from leads
    union all
    select
        'quality_leads' as kpi,
        created_date,
        1 as record_value
    from leads
    where lead_quality = 'quality'
    union all
    select
        'appointments' as kpi,
        activities.occurred_date,
        1 as record_value
    from activities
    where {{ is_appointment('activities') }}
    union all
    select
        'handed_off' as kpi,
        step_date,
        1 as record_value
    from funnel_events
    where funnel_step = 'handed_off'
    union all
    select
        'won' as kpi,
        closed_date,
        1 as record_value
    from opportunities
    where is_won
    union all
    select
        'won_amount' as kpi,
        closed_date,
        won_amount
    from opportunities
    where is_won
),

recounted as (
    select
        latest.department,
        latest.kpi,
        latest.period_grain,
        latest.period_start,
        latest.calendar_date,
        latest.actual_to_date,
        coalesce(sum(fact_records.record_value), 0) as fact_actual_to_date
    from latest
    left join fact_records
        on
            latest.kpi = fact_records.kpi
            and latest.period_start <= fact_records.record_date
            and latest.calendar_date >= fact_records.record_date
    where latest.kpi in ('leads', 'quality_leads', 'appointments', 'handed_off', 'won', 'won_amount')
    group by
        latest.department,
        latest.kpi,
        latest.period_grain,
        latest.period_start,
        latest.calendar_date,
        latest.actual_to_date
)

select *
from recounted
where abs(actual_to_date - fact_actual_to_date) > 0.005
