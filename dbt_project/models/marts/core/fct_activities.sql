{#- One row per live activity (calls, e-mails, meetings, other tasks and events) up to
    the as-of instant, with the owner's department and team at the time it happened,
    the connected flag, hearing items, and the quality of the lead it was about. -#}
with

activities as (select * from {{ ref('int_activities_classified') }}),
users as (select * from {{ ref('int_users_department_history') }}),
quality as (select * from {{ ref('int_leads_quality_scored') }}),
as_of as (select * from {{ ref('int_as_of') }}),

dated as (
    select
        activities.*,
        {{ to_reporting_date('activities.occurred_at') }} as occurred_date
    from activities
    cross join as_of
    where activities.occurred_at <= as_of.as_of_at
)

select
    dated.activity_id,
    dated.activity_source,
    dated.activity_type,
    dated.occurred_at,
    dated.occurred_date,
    dated.activity_date,
    dated.is_completed,
    dated.lead_id,
    quality.lead_quality,
    dated.what_id,
    dated.owner_user_id,
    coalesce(users.department, 'unassigned') as owner_department,
    users.team_id as owner_team_id,
    users.team_name as owner_team_name,
    dated.is_connected,
    dated.is_unmapped_disposition,
    dated.call_disposition,
    dated.call_duration_seconds,
    dated.hearing_item_count,
    dated.meeting_starts_at,
    dated.event_type
from dated
left join users
    on dated.owner_user_id = users.user_id
    and dated.occurred_date >= users.valid_from
    and (dated.occurred_date < users.valid_to or users.valid_to is null)
left join quality
    on dated.lead_id = quality.lead_id
