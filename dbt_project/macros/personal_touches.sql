{#- The personal touches on leads, one row per touch by anyone: a connected call, a
    one-to-one e-mail (seed email_subtype_mapping: a mass send such as ListEmail touches
    nobody in person; an e-mail without a subtype is one-to-one) and a meeting held by the
    as-of instant (its start at or before it), dated at its start. An unanswered call is
    an attempt, not a touch. Read by the neglected-lead count, the rep-day touch counts
    and the held meetings, so the three agree on what a touch is. -#}
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
    left join {{ ref('email_subtype_mapping') }} as email_subtypes
        on trim(activities.task_subtype) = email_subtypes.task_subtype
    where activities.lead_id is not null
        and (
            (activities.activity_type = 'call' and activities.is_completed and activities.is_connected)
            or (
                activities.is_completed
                and {{ is_one_to_one_email('activities', 'email_subtypes') }}
            )
            or (
                activities.activity_type = 'meeting'
                and activities.meeting_starts_at <= as_of.as_of_at
            )
        )
{%- endmacro %}


{#- True for a one-to-one e-mail: an e-mail whose subtype the e-mail subtype seed marks
    personal (a mass send such as ListEmail is not), or that has no subtype. `activities`
    is the alias of fct_activities rows, `email_subtypes` of email_subtype_mapping joined
    on the trimmed task subtype. Every definition that counts e-mails to a person uses it. -#}
{% macro is_one_to_one_email(activities, email_subtypes) -%}
    ({{ activities }}.activity_type = 'email'
    and coalesce({{ email_subtypes }}.is_personal, {{ activities }}.task_subtype is null))
{%- endmacro %}
