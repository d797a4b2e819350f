{#- One row per meeting on a lead booked by an inside-sales rep that has been held by the
    as-of instant (its start is at or before it), with whether the lead has become an
    opportunity by the as-of instant. The team is the booking rep's team on the day the
    meeting was booked; the period is the day the meeting was held (reporting time zone). -#}
with

-- A held meeting is a personal touch (macro personal_touches): a meeting on a lead that
-- has started by the as-of instant, dated at its start.
touches as ({{ personal_touches() }}
),

leads as (select * from {{ ref('fct_leads') }}),

held_meetings as (
    select
        activity_id,
        lead_id,
        lead_quality,
        owner_user_id,
        owner_team_id,
        owner_team_name,
        touched_at as held_at,
        touched_date as held_date
    from touches
    where
        activity_type = 'meeting'
        and owner_department = 'inside_sales'
)

select
    held_meetings.activity_id,
    held_meetings.lead_id,
    held_meetings.lead_quality,
    held_meetings.owner_user_id,
    held_meetings.owner_team_id,
    held_meetings.owner_team_name,
    held_meetings.held_at,
    held_meetings.held_date,
    coalesce(leads.reached_opportunity, false) as is_lead_opportunity
from held_meetings
left join leads
    on held_meetings.lead_id = leads.lead_id
