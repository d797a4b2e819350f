{#- One row per inside-sales rep who owns open leads at the as-of instant: how many of
    those leads have a next action planned. An open lead is neither converted nor
    disqualified; a next action is an open task (a planned call, e-mail or follow-up,
    by anyone) on the lead due on or after the as-of date.

    A snapshot, not a history: the extracts hold each task's current state only (no
    task history), so which tasks were open on an earlier day cannot be rebuilt. -#}
with

leads as (select * from {{ ref('fct_leads') }}),

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
        leads.lead_id,
        leads.owner_user_id
    from leads
    cross join as_of_date
    where
        not leads.is_converted
        and not leads.is_disqualified
        and leads.created_at <= as_of_date.as_of_at
        and leads.owner_user_id is not null
),

leads_with_next_action as (
    select distinct activities.lead_id
    from activities
    cross join as_of_date
    where
        activities.activity_source = 'task'
        and not activities.is_completed
        and activities.lead_id is not null
        and activities.activity_date >= as_of_date.as_of_date
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
    count(*) as open_leads,
    sum(case when leads_with_next_action.lead_id is not null then 1 else 0 end) as open_leads_with_next_action
from open_leads
cross join as_of_date
inner join inside_sales_reps_on_as_of_date
    on open_leads.owner_user_id = inside_sales_reps_on_as_of_date.user_id
left join leads_with_next_action
    on open_leads.lead_id = leads_with_next_action.lead_id
group by open_leads.owner_user_id, as_of_date.as_of_date
