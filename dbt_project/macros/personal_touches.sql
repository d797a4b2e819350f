{#- The personal touches int_kpi_is_touch_intervals is built from, one row per touch with
    the columns its row carries (see the model): completed calls (connected or not),
    completed e-mails and meetings that have started by the as-of instant, dated at their
    start, on a lead. int_kpi_is_held_meetings takes its meetings from here too. -#}
{% macro personal_touches() -%}
    select
        activities.activity_id,
        activities.activity_type,
        activities.lead_id,
        activities.lead_quality,
        activities.owner_user_id,
        activities.owner_department,
        coalesce(activities.owner_team_id, 'unassigned') as owner_team_id,
        coalesce(activities.owner_team_name, 'unassigned') as owner_team_name,
        case
            when activities.activity_type = 'meeting' then activities.meeting_starts_at
            else activities.occurred_at
        end as touched_at,
        -- occurred_date is already the reporting date of occurred_at: only meetings convert.
        case
            when activities.activity_type = 'meeting' then {{ to_reporting_date('activities.meeting_starts_at') }}
            else activities.occurred_date
        end as touched_date
    from {{ ref('fct_activities') }} as activities
    cross join {{ ref('int_as_of') }} as as_of
    where activities.lead_id is not null
        and (
            (activities.activity_type in ('call', 'email') and activities.is_completed)
            or (
                activities.activity_type = 'meeting'
                and activities.meeting_starts_at <= as_of.as_of_at
            )
        )
{%- endmacro %}


{#- Pre-hook of int_kpi_is_touch_intervals on an incremental build: remove every lead
    whose touches differ from the rows the model holds (a new, changed or deleted
    activity, the lead's quality, an owner's team, a meeting the as-of instant has
    reached). Leads are compared by their number of touches and the sum of the touches'
    fingerprints, not by tracing causes, so none is missed. The build then appends the
    touches of every lead the model no longer holds. -#}
{% macro delete_leads_with_changed_touches() -%}
    {%- if is_incremental() %}
    {%- set fingerprint = fukan.row_fingerprint([
        'activity_id', 'activity_type', 'lead_id', 'lead_quality', 'owner_user_id', 'owner_department',
        'owner_team_id', 'owner_team_name', 'touched_at', 'touched_date']) %}
    delete from {{ this }}
    where lead_id in (
        select coalesce(current_touches.lead_id, held_touches.lead_id)
        from (
            select lead_id, count(*) as touches, sum({{ fingerprint }}) as fingerprint
            from ({{ personal_touches() }}) as touches
            group by lead_id
        ) as current_touches
        full outer join (
            select lead_id, count(*) as touches, sum({{ fingerprint }}) as fingerprint
            from {{ this }}
            group by lead_id
        ) as held_touches
            on current_touches.lead_id = held_touches.lead_id
        where current_touches.lead_id is null
            or held_touches.lead_id is null
            or current_touches.touches <> held_touches.touches
            or current_touches.fingerprint <> held_touches.fingerprint
    )
    {%- endif %}
{%- endmacro %}
