{#- One row per meeting on a lead booked by an inside-sales rep that has been held by the
    as-of instant (its start is at or before it), with whether the lead has become an
    opportunity by the as-of instant. The team is the booking rep's team on the day the
    meeting was booked; the period is the day the meeting was held (reporting time zone). -#}
with

activities as (select * from {{ ref('fct_activities') }}),
leads as (select * from {{ ref('fct_leads') }}),
as_of as (select * from {{ ref('int_as_of') }}),

held_meetings as (
    select
        activities.activity_id,
        activities.lead_id,
        activities.lead_quality,
        activities.owner_user_id,
        coalesce(activities.owner_team_id, 'unassigned') as owner_team_id,
        coalesce(activities.owner_team_name, 'unassigned') as owner_team_name,
        activities.meeting_starts_at as held_at,
        {{ to_reporting_date('activities.meeting_starts_at') }} as held_date
    from activities
    cross join as_of
    where activities.activity_type = 'meeting'
        and activities.owner_department = 'inside_sales'
        and activities.lead_id is not null
        and activities.meeting_starts_at <= as_of.as_of_at
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
