{#- The personal touches int_kpi_inside_sales_touch_intervals is built from, one row per touch with
    the columns its row carries (see the model): completed calls (connected or not),
    completed e-mails and meetings that have started by the as-of instant, dated at their
    start, on a lead. int_kpi_inside_sales_held_meetings takes its meetings from here too. -#}
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


{#- Pre-hook of int_kpi_inside_sales_touch_intervals on an incremental build: remove every lead
    whose touches may differ from the rows the model holds. A lead's touches are its
    rows of fct_activities, so they change with:
    - a change int_lead_changes traces to the lead (a new, changed or deleted activity
      in any of its versions, the lead's own record and thus its quality);
    - a user or role change of an activity's owner (department and team);
    - the as-of instant reaching the start of one of its meetings (a current touch the
      model does not hold).
    A superset is harmless; the build then appends the touches of every lead the model
    no longer holds, ordered again over all their touches. -#}
{% macro delete_leads_with_changed_touches() -%}
    {%- set lead_changes, activities, changed_owners = ref('int_lead_changes'), ref('fct_activities'), ref('int_changed_users') -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where lead_id in (
        select lead_id from {{ lead_changes }}
        union
        select lead_id from {{ activities }}
        where owner_user_id in (select user_id from {{ changed_owners }})
        union
        select touches.lead_id
        from ({{ personal_touches() }}) as touches
        where touches.activity_type = 'meeting'
            and not exists (select 1 from {{ this }} as held where held.activity_id = touches.activity_id)
    )
    {%- endif %}
{%- endmacro %}
