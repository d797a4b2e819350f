{#- Tasks and events as one stream of activities, each classified once:
    call / email / meeting / task / event, connected calls by the disposition seed
    (ignoring case and surrounding spaces; unmapped counts as not connected and is
    flagged), meetings by the event type seed (empty type = meeting), and the lead it
    belongs to (who_id is the lead, or after conversion its contact).

    Incremental: a refresh re-classifies only the activities that changed since the last
    build, those about a lead that changed (its conversion or deletion moves them), and
    removes deleted ones; everything else keeps its row. -#}
{{ config(
    unique_key='activity_id',
    post_hook="{{ delete_deleted_activities() }}",
) }}
{%- set watermark = file_seq_watermark(ref('stg_ingest__dbt_builds')) %}

with

tasks as (
    select * from {{ ref('stg_crm__tasks') }}
    where not is_deleted
),

events as (
    select * from {{ ref('stg_crm__events') }}
    where not is_deleted
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
    where not is_deleted
),

dispositions as (select * from {{ ref('call_disposition_mapping') }}),

event_types as (select * from {{ ref('event_type_mapping') }}),

lead_by_contact as (
    select
        converted_contact_id as contact_id,
        min(lead_id) as lead_id
    from leads
    where converted_contact_id is not null
    group by converted_contact_id
),

lead_keys as (
    select lead_id from leads
),
{% if is_incremental() %}
changed_leads as (
    select lead_id, converted_contact_id
    from {{ ref('stg_crm__leads') }}
    where source_file_seq > {{ watermark }}
),

changed_lead_keys as (
    select lead_id as who_id from changed_leads
    union
    select converted_contact_id from changed_leads where converted_contact_id is not null
),

-- The base tables, not the tasks and events CTEs: DuckDB materialises a CTE read more
-- than once, every wide row of it, before any of these filters.
affected as (
    select task_id as activity_id from {{ ref('stg_crm__tasks') }}
    where not is_deleted and source_file_seq > {{ watermark }}
    union
    select event_id from {{ ref('stg_crm__events') }}
    where not is_deleted and source_file_seq > {{ watermark }}
    union
    select task_id from {{ ref('stg_crm__tasks') }}
    where not is_deleted and who_id in (select who_id from changed_lead_keys)
    union
    select event_id from {{ ref('stg_crm__events') }}
    where not is_deleted and who_id in (select who_id from changed_lead_keys)
    union
    select activity_id from {{ this }} where lead_id in (select lead_id from changed_leads)
),
{% endif %}

task_activities as (
    select
        tasks.task_id as activity_id,
        'task' as activity_source,
        case
            when tasks.task_subtype = 'Call' or tasks.task_type = 'Call' then 'call'
            when tasks.task_subtype = 'Email' or tasks.task_type = 'Email' then 'email'
            else 'task'
        end as activity_type,
        tasks.task_subtype,
        tasks.who_id,
        tasks.what_id,
        tasks.owner_user_id,
        tasks.created_at as occurred_at,
        tasks.activity_date,
        coalesce(tasks.is_closed, tasks.completed_at is not null) as is_completed,
        tasks.call_disposition,
        dispositions.is_connected as mapped_is_connected,
        tasks.call_duration_seconds,
        tasks.hearing_item_count,
        cast(null as {{ dbt.type_timestamp() }}) as meeting_starts_at,
        cast(null as {{ dbt.type_string() }}) as event_type,
        tasks.source_file_seq
    from tasks
    left join dispositions
        on {{ normalise_text('tasks.call_disposition') }} = {{ normalise_text('dispositions.call_disposition') }}
    {%- if is_incremental() %}
    where tasks.task_id in (select activity_id from affected)
    {%- endif %}
),

event_activities as (
    select
        events.event_id as activity_id,
        'event' as activity_source,
        case
            when coalesce(event_types.is_meeting, nullif(trim(events.event_type), '') is null) then 'meeting'
            else 'event'
        end as activity_type,
        cast(null as {{ dbt.type_string() }}) as task_subtype,
        events.who_id,
        events.what_id,
        events.owner_user_id,
        events.created_at as occurred_at,
        events.activity_date,
        true as is_completed,
        cast(null as {{ dbt.type_string() }}) as call_disposition,
        cast(null as {{ dbt.type_boolean() }}) as mapped_is_connected,
        cast(null as {{ dbt.type_bigint() }}) as call_duration_seconds,
        cast(null as {{ dbt.type_bigint() }}) as hearing_item_count,
        events.starts_at as meeting_starts_at,
        events.event_type,
        events.source_file_seq
    from events
    left join event_types
        on trim(events.event_type) = event_types.event_type
    {%- if is_incremental() %}
    where events.event_id in (select activity_id from affected)
    {%- endif %}
),

activities as (
    select * from task_activities
    union all
    select * from event_activities
)

select
    activities.activity_id,
    activities.activity_source,
    activities.activity_type,
    activities.task_subtype,
    coalesce(lead_keys.lead_id, lead_by_contact.lead_id) as lead_id,
    activities.what_id,
    activities.owner_user_id,
    activities.occurred_at,
    activities.activity_date,
    activities.is_completed,
    activities.activity_type = 'call' and coalesce(activities.mapped_is_connected, false) as is_connected,
    activities.activity_type = 'call'
    and activities.call_disposition is not null
    and activities.mapped_is_connected is null as is_unmapped_disposition,
    activities.call_disposition,
    activities.call_duration_seconds,
    coalesce(activities.hearing_item_count, 0) as hearing_item_count,
    activities.meeting_starts_at,
    activities.event_type,
    activities.source_file_seq
from activities
left join lead_keys
    on activities.who_id = lead_keys.lead_id
left join lead_by_contact
    on activities.who_id = lead_by_contact.contact_id
