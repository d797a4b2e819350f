{#- One row per meeting on a lead booked by an inside-sales rep that has been held by the
    as-of instant (its start is at or before it; macro personal_touches), with whether an
    opportunity followed it: one on the lead, or on the account its conversion created,
    created at or after the meeting start and within var meeting_to_opportunity_days
    days of it. is_window_closed: that window has ended by the as-of instant, so the
    outcome is final. The team is the booking rep's team on the day the meeting was
    booked; the period is the day the meeting was held (reporting time zone). -#}
{%- set window_days = var('meeting_to_opportunity_days') | int %}
with

touches as ({{ personal_touches() }}
),

opportunities as (select * from {{ ref('fct_opportunities') }}),

as_of as (select * from {{ ref('int_as_of') }}),

held_meetings as (
    select
        activity_id,
        lead_id,
        lead_quality,
        owner_user_id,
        owner_team_id,
        owner_team_name,
        touched_at as held_at,
        touched_date as held_date,
        {{ dbt.dateadd('day', window_days, 'touched_at') }} as window_ends_at
    from touches
    where
        activity_type = 'meeting'
        and owner_department = 'inside_sales'
),

-- A lead's opportunities: its own (the conversion's) and any later one on the account
-- the conversion created.
lead_accounts as (
    select distinct
        lead_id,
        account_id
    from opportunities
    where lead_id is not null and account_id is not null
),

lead_opportunities as (
    select
        lead_id,
        created_at
    from opportunities
    where lead_id is not null
    union
    select
        lead_accounts.lead_id,
        opportunities.created_at
    from lead_accounts
    inner join opportunities
        on lead_accounts.account_id = opportunities.account_id
),

followed as (
    select distinct held_meetings.activity_id
    from held_meetings
    inner join lead_opportunities
        on
            held_meetings.lead_id = lead_opportunities.lead_id
            and held_meetings.held_at <= lead_opportunities.created_at
            and held_meetings.window_ends_at >= lead_opportunities.created_at
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
    held_meetings.window_ends_at <= as_of.as_of_at as is_window_closed,
    followed.activity_id is not null as has_opportunity_in_window
from held_meetings
cross join as_of
left join followed
    on held_meetings.activity_id = followed.activity_id
