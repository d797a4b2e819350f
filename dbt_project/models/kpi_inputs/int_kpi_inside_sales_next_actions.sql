{#- One row per inside-sales rep who owns open leads at the as-of instant
    (int_kpi_inside_sales_lead_spans, the rep in inside sales on the as-of date): how many
    of those leads have a next action planned - an open task on the lead (a planned
    call, e-mail or follow-up, by anyone) due on or after the as-of date, or a meeting
    on the lead that starts after the as-of instant. The open leads themselves are the
    as-of-date figure of int_kpi_inside_sales_neglected_leads.

    A snapshot, not a history: the extracts hold each task's current state only (no
    task history), so which tasks were open on an earlier day cannot be rebuilt. -#}
with

lead_spans as (select * from {{ ref('int_kpi_inside_sales_lead_spans') }}),

activities as (select * from {{ ref('fct_activities') }}),

users as (select * from {{ ref('dim_users') }}),

as_of as (select * from {{ ref('int_as_of') }}),

as_of_date as (
    select
        as_of_at,
        {{ to_reporting_date('as_of_at') }} as as_of_date
    from as_of
),

open_leads as (
    select
        lead_spans.lead_id,
        lead_spans.owner_user_id
    from lead_spans
    cross join as_of_date
    where lead_spans.closed_date > as_of_date.as_of_date or lead_spans.closed_date is null
),

leads_with_next_action as (
    select distinct activities.lead_id
    from activities
    cross join as_of_date
    where
        activities.lead_id is not null
        and (
            (
                activities.activity_source = 'task'
                and not activities.is_completed
                and activities.activity_date >= as_of_date.as_of_date
            )
            or (
                activities.activity_type = 'meeting'
                and activities.meeting_starts_at > as_of_date.as_of_at
            )
        )
),

inside_sales_reps_on_as_of_date as (
    select users.user_id
    from users
    cross join as_of_date
    where
        users.department = 'inside_sales'
        and users.valid_from <= as_of_date.as_of_date
        and (users.valid_to > as_of_date.as_of_date or users.valid_to is null)
)

select
    open_leads.owner_user_id as rep_user_id,
    as_of_date.as_of_date,
    cast(count(leads_with_next_action.lead_id) as {{ dbt.type_bigint() }}) as open_leads_with_next_action
from open_leads
cross join as_of_date
inner join inside_sales_reps_on_as_of_date
    on open_leads.owner_user_id = inside_sales_reps_on_as_of_date.user_id
left join leads_with_next_action
    on open_leads.lead_id = leads_with_next_action.lead_id
group by open_leads.owner_user_id, as_of_date.as_of_date
