{#- The earliest direct evidence of each funnel step for each lead, up to the as-of
    instant, before the cumulative rule fills gaps (docs/kpi-definitions.md, funnel steps).
    Status evidence: a lead status mapped to a step proves it, dated by lead_history
    (Status changes) or, for the current status, by the lead's version timestamp.
    Activity evidence: worked is a call or a one-to-one e-mail (macro is_one_to_one_email:
    a mass send such as ListEmail works nobody); appointment is the first meeting booked
    by an inside-sales owner (macro is_appointment, department on the booking day).

    revisit_at is the earliest input left out for lying after the as-of instant: once
    the instant reaches it, the lead's row changes although no record did, and
    int_lead_changes lists the lead. Incremental: the leads int_lead_changes lists are
    deleted and built again. -#}
{{ config(incremental_strategy='append', pre_hook="{{ delete_lead_changes() }}") }}
{%- set later = ['later.later_at'] %}
{%- for step in funnel_steps() %}
    {%- do later.append('case when evidence.' ~ step ~ '_at > as_of.as_of_at then evidence.' ~ step ~ '_at end') %}
{%- endfor %}
with

leads as (
    select * from {{ ref('stg_crm__leads') }}
    where not is_deleted{{ lead_changes_filter() }}
),

lead_history as (
    select * from {{ ref('stg_crm__lead_history') }}
    where not is_deleted{{ lead_changes_filter() }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
    where not is_deleted
),

-- Read once: DuckDB materialises a CTE read more than once, every wide row of it, so the
-- appointments and later inputs read the base table under the same filter.
activities as (select * from {{ ref('int_activities_classified') }}{{ lead_changes_filter('where') }}),

stage_entries as (select * from {{ ref('int_opportunity_stage_entries') }}),

stages as (select * from {{ ref('opportunity_stage_mapping') }}),

status_mapping as (select * from {{ ref('lead_status_mapping') }}),

email_subtypes as (select * from {{ ref('email_subtype_mapping') }}),

owners as (select * from {{ ref('int_users_department_history') }}),

as_of as (select * from {{ ref('int_as_of') }}),

-- Only a meeting needs its owner's department on the booking day, so only meetings join
-- the owners (joining every activity cost a fifth of this model).
appointments as (
    select
        activities.lead_id,
        activities.occurred_at as appointment_at
    from {{ ref('int_activities_classified') }} as activities
    cross join as_of
    inner join owners
        on {{ user_period_on('owners', 'activities.owner_user_id', to_reporting_date('activities.occurred_at')) }}
    where
        {{ is_appointment('activities', 'owners.department') }}
        and activities.is_completed
        and activities.occurred_at <= as_of.as_of_at
    {{ lead_changes_filter() }}
),

activity_evidence as (
    select
        lead_id,
        min(worked_at) as worked_at,
        min(contacted_at) as contacted_at,
        min(need_confirmed_at) as need_confirmed_at,
        min(appointment_at) as appointment_at
    from (
        select
            activities.lead_id,
            case
                when activities.activity_type = 'call' or {{ is_one_to_one_email('activities', 'email_subtypes') }}
                    then activities.occurred_at
            end as worked_at,
            case when activities.is_connected then activities.occurred_at end as contacted_at,
            case
                when activities.activity_source = 'task' and activities.hearing_item_count >= 1
                    then activities.occurred_at
            end as need_confirmed_at,
            cast(null as {{ dbt.type_timestamp() }}) as appointment_at
        from activities
        cross join as_of
        left join email_subtypes
            on trim(activities.task_subtype) = email_subtypes.task_subtype
        where
            activities.lead_id is not null
            and activities.is_completed
            and activities.occurred_at <= as_of.as_of_at
        union all
        select
            lead_id,
            cast(null as {{ dbt.type_timestamp() }}) as worked_at,
            cast(null as {{ dbt.type_timestamp() }}) as contacted_at,
            cast(null as {{ dbt.type_timestamp() }}) as need_confirmed_at,
            appointment_at
        from appointments
    ) as evidence
    group by lead_id
),

status_changes as (
    select
        lead_id,
        new_value as lead_status,
        created_at as changed_at
    from lead_history
    where field_name = 'Status'
    union all
    select
        lead_id,
        lead_status,
        modified_at
    from leads
),

-- The earliest activity and status change after the as-of instant (see revisit_at).
later_inputs as (
    select
        activities.lead_id,
        min(activities.occurred_at) as later_at
    from {{ ref('int_activities_classified') }} as activities
    cross join as_of
    where
        activities.lead_id is not null
        and activities.is_completed
        and activities.occurred_at > as_of.as_of_at
    {{ lead_changes_filter() }}
    group by activities.lead_id
    union all
    select
        status_changes.lead_id,
        min(status_changes.changed_at) as later_at
    from status_changes
    inner join status_mapping
        on status_changes.lead_status = status_mapping.lead_status
    cross join as_of
    where status_changes.changed_at > as_of.as_of_at
    group by status_changes.lead_id
),

status_evidence as (
    select
        status_changes.lead_id,
    {%- for step in ['contacted', 'need_confirmed', 'appointment', 'handed_off'] %}
        min(case when status_mapping.funnel_step = '{{ step }}' then status_changes.changed_at end)
            as {{ step }}_at
        {{- ',' if not loop.last }}
    {%- endfor %}
    from status_changes
    inner join status_mapping
        on status_changes.lead_status = status_mapping.lead_status
    cross join as_of
    where status_changes.changed_at <= as_of.as_of_at
    group by status_changes.lead_id
),

proposals as (
    select
        opportunity_id,
        min(entered_at) as proposal_at
    from stage_entries
    where stage_category in ('proposal', 'after_proposal', 'won')
    group by opportunity_id
),

conversion_events as (
    select
        lead_id,
        min(created_at) as converted_at
    from lead_history
    where field_name = 'leadConverted'
    group by lead_id
),

opportunity_evidence as (
    select
        leads.lead_id,
        opportunities.created_at as opportunity_at,
        proposals.proposal_at,
        case
            when stages.stage_category = 'won'
                then cast(opportunities.close_date as {{ dbt.type_timestamp() }})
        end as won_at
    from leads
    inner join opportunities
        on leads.converted_opportunity_id = opportunities.opportunity_id
    left join stages
        on opportunities.stage_name = stages.stage_name
    left join proposals
        on opportunities.opportunity_id = proposals.opportunity_id
),

evidence as (
    select
        leads.lead_id,
        leads.created_at as lead_at,
        activity_evidence.worked_at,
        {{ earliest(['activity_evidence.contacted_at', 'status_evidence.contacted_at']) }} as contacted_at,
        {{ earliest(['activity_evidence.need_confirmed_at', 'status_evidence.need_confirmed_at']) }}
            as need_confirmed_at,
        {{ earliest(['activity_evidence.appointment_at', 'status_evidence.appointment_at']) }} as appointment_at,
        {{ earliest([
            'case when leads.is_converted or leads.converted_date is not null then '
                ~ 'coalesce(conversion_events.converted_at, cast(leads.converted_date as ' ~ dbt.type_timestamp() ~ ')) end',
            'status_evidence.handed_off_at'
        ]) }} as handed_off_at,
        opportunity_evidence.opportunity_at,
        opportunity_evidence.proposal_at,
        opportunity_evidence.won_at
    from leads
    left join activity_evidence
        on leads.lead_id = activity_evidence.lead_id
    left join status_evidence
        on leads.lead_id = status_evidence.lead_id
    left join conversion_events
        on leads.lead_id = conversion_events.lead_id
    left join opportunity_evidence
        on leads.lead_id = opportunity_evidence.lead_id
),

later as (
    select
        lead_id,
        min(later_at) as later_at
    from later_inputs
    group by lead_id
)

select
    evidence.lead_id,
    {%- for step in funnel_steps() %}
        case when evidence.{{ step }}_at <= as_of.as_of_at then evidence.{{ step }}_at end as {{ step }}_evidence_at,
    {%- endfor %}
    {{ earliest(later) }} as revisit_at
from evidence
cross join as_of
left join later
    on evidence.lead_id = later.lead_id
