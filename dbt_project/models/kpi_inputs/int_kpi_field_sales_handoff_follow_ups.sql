{#- One row per hand-off with its first field-sales follow-up: what the follow rate
    (フォロー率) counts. Definitions: _int_kpi_field_sales_handoff_follow_ups.yml. -#}
{%- set follow_days = var('follow_within_business_days') | int %}
with

leads as (select * from {{ ref('fct_leads') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

activities as (select * from {{ ref('fct_activities') }}),

dates as (select * from {{ ref('dim_dates') }}),

as_of as (select * from {{ ref('int_as_of') }}),

email_subtypes as (select * from {{ ref('email_subtype_mapping') }}),

-- Business days on or before each date: the difference of two dates' numbers is the
-- count of business days after the first up to and including the second.
business_day_numbers as (
    select
        calendar_date,
        sum(case when is_business_day then 1 else 0 end) over (
            order by calendar_date rows between unbounded preceding and current row
        ) as business_day_number
    from dates
),

handoffs as (
    select
        leads.lead_id,
        leads.lead_quality,
        leads.handed_off_at,
        leads.handed_off_date,
        leads.converted_opportunity_id as opportunity_id,
        opportunities.account_id,
        coalesce(opportunities.owner_user_id, leads.owner_user_id) as owner_user_id
    from leads
    left join opportunities
        on leads.converted_opportunity_id = opportunities.opportunity_id
    where leads.reached_handed_off
),

-- What a follow-up may be logged on: the lead or its converted contact (fct_activities
-- resolves the contact to its lead), the opportunity, or the account.
handoff_records as (
    select
        lead_id,
        handed_off_at,
        'lead' as record_kind,
        lead_id as record_id
    from handoffs
    union all
    select
        lead_id,
        handed_off_at,
        'what' as record_kind,
        opportunity_id as record_id
    from handoffs
    union all
    select
        lead_id,
        handed_off_at,
        'what' as record_kind,
        account_id as record_id
    from handoffs
),

-- Calls (answered or not), one-to-one e-mails (a mass send follows nobody up) and
-- meetings logged by someone in field sales.
field_sales_touches as (
    select
        activities.lead_id,
        activities.what_id,
        activities.occurred_at
    from activities
    left join email_subtypes
        on trim(activities.task_subtype) = email_subtypes.task_subtype
    where
        activities.owner_department = 'field_sales'
        and activities.is_completed
        and (
            activities.activity_type in ('call', 'meeting')
            or {{ is_one_to_one_email('activities', 'email_subtypes') }}
        )
),

-- Each touch by the records it is logged on: its lead (or contact) and its what record.
touched_records as (
    select
        'lead' as record_kind,
        lead_id as record_id,
        occurred_at
    from field_sales_touches
    union all
    select
        'what' as record_kind,
        what_id as record_id,
        occurred_at
    from field_sales_touches
),

-- A touch on any of the hand-off's records, at or after the hand-off.
follow_ups as (
    select
        handoff_records.lead_id,
        touched_records.occurred_at
    from handoff_records
    inner join touched_records
        on
            handoff_records.record_kind = touched_records.record_kind
            and handoff_records.record_id = touched_records.record_id
    where touched_records.occurred_at >= handoff_records.handed_off_at
),

first_follow_ups as (
    select
        lead_id,
        min(occurred_at) as first_follow_up_at
    from follow_ups
    group by lead_id
),

measured as (
    select
        handoffs.lead_id,
        handoffs.lead_quality,
        handoffs.handed_off_at,
        handoffs.handed_off_date,
        handoffs.opportunity_id,
        handoffs.account_id,
        handoffs.owner_user_id,
        first_follow_ups.first_follow_up_at,
        {{ to_reporting_date('first_follow_ups.first_follow_up_at') }} as first_follow_up_date,
        {{ to_reporting_date('as_of.as_of_at') }} as as_of_date
    from handoffs
    cross join as_of
    left join first_follow_ups
        on handoffs.lead_id = first_follow_ups.lead_id
)

select
    measured.lead_id,
    cast(measured.lead_quality as {{ dbt.type_string() }}) as lead_quality,
    measured.handed_off_at,
    measured.handed_off_date,
    measured.opportunity_id,
    measured.account_id,
    measured.owner_user_id,
    measured.first_follow_up_at,
    measured.first_follow_up_date,
    cast(follow_up_days.business_day_number - handoff_days.business_day_number as {{ dbt.type_bigint() }})
        as business_days_to_follow_up,
    coalesce(follow_up_days.business_day_number - handoff_days.business_day_number <= {{ follow_days }}, false)
        as is_followed,
    as_of_days.business_day_number - handoff_days.business_day_number > {{ follow_days }}
        as is_follow_window_closed
from measured
inner join business_day_numbers as handoff_days
    on measured.handed_off_date = handoff_days.calendar_date
inner join business_day_numbers as as_of_days
    on measured.as_of_date = as_of_days.calendar_date
left join business_day_numbers as follow_up_days
    on measured.first_follow_up_date = follow_up_days.calendar_date
