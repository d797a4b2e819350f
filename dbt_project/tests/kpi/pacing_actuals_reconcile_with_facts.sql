-- The actual to date on each department-level target's latest day equals an independent
-- count over the facts: leads and quality leads by created date (fct_leads),
-- opportunities by created date, won opportunities and won amount by close date
-- (fct_opportunities), appointments as meetings booked by booking date (fct_activities,
-- macro is_appointment), completed calls, connected calls and e-mails of the
-- department's users on the day (fct_activities) and hand-offs by step date
-- (fct_funnel_events). Fails with each target that differs.
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
        cast(null as {{ dbt.type_string() }}) as record_department,
        cast(1 as {{ type_double() }}) as record_value
    from leads
    union all
    select
        'quality_leads' as kpi,
        created_date,
        null as record_department,
        1 as record_value
    from leads
    where lead_quality = 'quality'
    union all
    select
        'appointments' as kpi,
        activities.occurred_date,
        activities.owner_department as record_department,
        1 as record_value
    from activities
    where {{ is_appointment('activities') }}
    union all
    select
        'handed_off' as kpi,
        step_date,
        null as record_department,
        1 as record_value
    from funnel_events
    where funnel_step = 'handed_off'
    union all
    select
        'won' as kpi,
        closed_date,
        null as record_department,
        1 as record_value
    from opportunities
    where is_won
    union all
    select
        'won_amount' as kpi,
        closed_date,
        null as record_department,
        won_amount
    from opportunities
    where is_won
    union all
    select
        'opportunities' as kpi,
        created_date,
        null as record_department,
        1 as record_value
    from opportunities
    union all
    select
        case activity_type when 'email' then 'emails' else 'calls' end as kpi,
        occurred_date,
        owner_department as record_department,
        1 as record_value
    from activities
    where activity_type in ('call', 'email') and is_completed
    union all
    select
        'connected_calls' as kpi,
        occurred_date,
        owner_department as record_department,
        1 as record_value
    from activities
    where activity_type = 'call' and is_completed and is_connected
),

-- per day first: the range join below then reads days, not every call
fact_days as (
    select
        kpi,
        record_date,
        record_department,
        sum(record_value) as record_value
    from fact_records
    group by kpi, record_date, record_department
),

recounted as (
    select
        latest.department,
        latest.kpi,
        latest.period_grain,
        latest.period_start,
        latest.calendar_date,
        latest.actual_to_date,
        coalesce(sum(fact_days.record_value), 0) as fact_actual_to_date
    from latest
    left join fact_days
        on
            latest.kpi = fact_days.kpi
            and latest.period_start <= fact_days.record_date
            and latest.calendar_date >= fact_days.record_date
            and (fact_days.record_department is null or latest.department = fact_days.record_department)
    where
        latest.kpi in (
            'leads', 'quality_leads', 'opportunities', 'appointments', 'handed_off', 'won', 'won_amount',
            'calls', 'connected_calls', 'emails'
        )
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
