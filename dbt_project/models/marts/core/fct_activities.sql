{#- One row per live activity (calls, e-mails, meetings, other tasks and events) up to
    the as-of instant, with the owner's department and team at the time it happened,
    the connected flag, hearing items, and the quality of the lead it was about.

    Incremental: a refresh rebuilds the rows of activities that changed, of leads whose
    record or history changed (their quality, or which lead an activity belongs to), and
    of owners whose user record or role changed (their department and team), and every
    activity later than all it holds (one the as-of instant left out, e.g. created after
    its own last modification, joins once the instant reaches it); deleted activities
    leave. -#}
{{ config(
    unique_key='activity_id',
    post_hook="{{ delete_deleted_activities() }}",
) }}
with

activities as (select * from {{ ref('int_activities_classified') }}),

users as (select * from {{ ref('int_users_department_history') }}),

quality as (select * from {{ ref('int_leads_quality_scored') }}),

as_of as (select * from {{ ref('int_as_of') }}),

changed_lead_records as (select * from {{ ref('int_changed_lead_records') }}),

changed_owners as (select * from {{ ref('int_changed_users') }}),
{% if is_incremental() %}
-- The base table, not the activities CTE: DuckDB materialises a CTE read more than once,
-- every wide row of it, before any of these filters.
affected as (
    select activity_id from {{ ref('int_activities_classified') }}
    where source_file_seq > (select coalesce(max(source_file_seq), 0) from {{ this }})
    union
    select activity_id from {{ ref('int_activities_classified') }}
    where lead_id in (select lead_id from changed_lead_records)
    union
    select activity_id from {{ ref('int_activities_classified') }}
    where owner_user_id in (select user_id from changed_owners)
    union
    select activity_id from {{ this }} where lead_id in (select lead_id from changed_lead_records)
    union
    select activity_id from {{ ref('int_activities_classified') }}
    where occurred_at > (select max(occurred_at) from {{ this }})
),
{% endif %}
dated as (
    select
        activities.*,
        {{ to_reporting_date('activities.occurred_at') }} as occurred_date
    from activities
    cross join as_of
    where activities.occurred_at <= as_of.as_of_at
    {%- if is_incremental() %}
        and activities.activity_id in (select activity_id from affected)
    {%- endif %}
)

select
    dated.activity_id,
    dated.activity_source,
    dated.activity_type,
    dated.task_subtype,
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
    dated.event_type,
    dated.source_file_seq
from dated
left join users
    on {{ user_period_on('users', 'dated.owner_user_id', 'dated.occurred_date') }}
left join quality
    on dated.lead_id = quality.lead_id
