{#- Every live lead's status as validity intervals [valid_from, valid_to), rebuilt from
    lead_history's Status changes and the lead's current version. The first interval
    starts at the lead's creation with the status before its first recorded change (or
    the current status when none was recorded); a current status that differs from the
    last recorded change starts one more interval at the version instant (an extract
    that missed the change). Changes after the as-of instant are left out; the last
    interval is open (valid_to null). Dates are reporting-time-zone days.

    Incremental: a refresh rebuilds the leads int_lead_changes lists (their record or
    history changed; the pre-hook deletes their rows, deleted leads' among them) and the
    leads with a creation, modification or status change later than every interval held
    (the as-of instant may have reached it). -#}
{{ config(unique_key='lead_id', pre_hook="{{ delete_lead_changes() }}") }}
{%- set lead_changes = ref('int_lead_changes') %}
with
{% if is_incremental() %}
held as (select max(valid_from) as held_through from {{ this }}),

affected as (
    select lead_id from {{ lead_changes }}
    union
    select lead_id from {{ ref('stg_crm__leads') }}
    where
        created_at > (select held_through from held)
        or modified_at > (select held_through from held)
    union
    select lead_id from {{ ref('stg_crm__lead_history') }}
    where field_name = 'Status' and created_at > (select held_through from held)
),
{% endif %}
leads as (
    select * from {{ ref('stg_crm__leads') }}
    where not is_deleted
    {%- if is_incremental() %}
        and lead_id in (select lead_id from affected)
    {%- endif %}
),

history as (
    select * from {{ ref('stg_crm__lead_history') }}
    where not is_deleted and field_name = 'Status'
    {%- if is_incremental() %}
        and lead_id in (select lead_id from affected)
    {%- endif %}
),

statuses as (select * from {{ ref('lead_status_mapping') }}),

as_of as (select * from {{ ref('int_as_of') }}),

recorded_changes as (
    select
        history.lead_id,
        history.created_at as changed_at,
        history.old_value,
        history.new_value as lead_status,
        row_number() over (partition by history.lead_id order by history.created_at, history.lead_history_id)
            as change_number,
        row_number() over (
            partition by history.lead_id order by history.created_at desc, history.lead_history_id desc
        ) as changes_after
    from history
    inner join leads
        on history.lead_id = leads.lead_id
    cross join as_of
    where history.created_at <= as_of.as_of_at
),

states as (
    select
        leads.lead_id,
        leads.created_at as changed_at,
        coalesce(first_change.old_value, leads.lead_status) as lead_status,
        0 as state_order
    from leads
    cross join as_of
    left join recorded_changes as first_change
        on leads.lead_id = first_change.lead_id and first_change.change_number = 1
    where leads.created_at <= as_of.as_of_at

    union all

    select
        lead_id,
        changed_at,
        lead_status,
        1 as state_order
    from recorded_changes

    union all

    select
        leads.lead_id,
        leads.modified_at as changed_at,
        leads.lead_status,
        2 as state_order
    from leads
    cross join as_of
    left join recorded_changes as last_change
        on leads.lead_id = last_change.lead_id and last_change.changes_after = 1
    where
        leads.modified_at <= as_of.as_of_at
        and last_change.lead_id is not null
        and leads.modified_at > last_change.changed_at
        and leads.lead_status <> last_change.lead_status
),

compared as (
    select
        lead_id,
        changed_at,
        lead_status,
        lag(lead_status) over (partition by lead_id order by changed_at, state_order) as previous_status,
        row_number() over (partition by lead_id order by changed_at, state_order) as state_number
    from states
),

changes as (
    select * from compared
    where state_number = 1 or coalesce(lead_status, '') <> coalesce(previous_status, '')
),

intervals as (
    select
        lead_id,
        row_number() over (partition by lead_id order by changed_at, state_number) as interval_number,
        changed_at as valid_from,
        lead(changed_at) over (partition by lead_id order by changed_at, state_number) as valid_to,
        lead_status
    from changes
)

select
    intervals.lead_id,
    cast(intervals.interval_number as {{ dbt.type_bigint() }}) as interval_number,
    intervals.valid_from,
    intervals.valid_to,
    {{ to_reporting_date('intervals.valid_from') }} as valid_from_date,
    {{ to_reporting_date('intervals.valid_to') }} as valid_to_date,
    intervals.lead_status,
    statuses.funnel_step,
    coalesce(statuses.is_disqualified, false) as is_disqualified,
    intervals.lead_status is not null
    and coalesce(statuses.funnel_step, '') <> 'handed_off'
    and not coalesce(statuses.is_disqualified, false) as is_open
from intervals
left join statuses
    on intervals.lead_status = statuses.lead_status
