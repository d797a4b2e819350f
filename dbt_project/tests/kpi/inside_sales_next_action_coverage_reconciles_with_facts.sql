-- The open leads and open leads with a next action on the as-of rows of
-- kpi_inside_sales equal a recount over fct_leads and fct_activities for the leads owned
-- by users in inside sales on the as-of date (a next action: an open task due from the
-- as-of date, or a meeting still to come). Fails with the two totals when they differ.
with

inside_sales as (select * from {{ ref('kpi_inside_sales') }}),

leads as (select * from {{ ref('fct_leads') }}),

activities as (select * from {{ ref('fct_activities') }}),

users as (select * from {{ ref('dim_users') }}),

as_of as (
    select
        as_of_at,
        {{ to_reporting_date('as_of_at') }} as as_of_date
    from {{ ref('int_as_of') }}
),

mart_totals as (
    select
        coalesce(sum(open_leads), 0) as open_leads,
        coalesce(sum(open_leads_with_next_action), 0) as open_leads_with_next_action
    from inside_sales
    where is_as_of_date
),

inside_sales_owners as (
    select distinct users.user_id
    from users
    cross join as_of
    where
        users.department = 'inside_sales'
        and users.valid_from <= as_of.as_of_date
        and (users.valid_to > as_of.as_of_date or users.valid_to is null)
),

open_leads as (
    select
        leads.lead_id,
        case
            when exists (
                select 1
                from activities
                where
                    activities.lead_id = leads.lead_id
                    and (
                        (
                            activities.activity_source = 'task'
                            and not activities.is_completed
                            and activities.activity_date >= as_of.as_of_date
                        )
                        or (activities.activity_type = 'meeting' and activities.meeting_starts_at > as_of.as_of_at)
                    )
            ) then 1 else 0
        end as has_next_action
    from leads
    cross join as_of
    inner join inside_sales_owners
        on leads.owner_user_id = inside_sales_owners.user_id
    where
        not leads.is_converted
        and not leads.is_disqualified
        and leads.created_at <= as_of.as_of_at
),

fact_totals as (
    select
        count(*) as open_leads,
        coalesce(sum(has_next_action), 0) as open_leads_with_next_action
    from open_leads
)

select
    mart_totals.open_leads,
    fact_totals.open_leads as fact_open_leads,
    mart_totals.open_leads_with_next_action,
    fact_totals.open_leads_with_next_action as fact_open_leads_with_next_action
from mart_totals
cross join fact_totals
where
    mart_totals.open_leads <> fact_totals.open_leads
    or mart_totals.open_leads_with_next_action <> fact_totals.open_leads_with_next_action
