-- A user who is no longer active is not counted as working (is_in_tenure) after their
-- last activity, so calls per rep per business day is not diluted by reps who left.
-- Fails with each tenure day after a leaver's last activity.
with

inside_sales as (select * from {{ ref('kpi_inside_sales') }}),

users as (
    select * from {{ ref('dim_users') }}
    where is_current
),

activities as (select * from {{ ref('fct_activities') }}),

last_activity as (
    select
        owner_user_id,
        max(occurred_date) as last_activity_date
    from activities
    group by owner_user_id
)

select
    inside_sales.rep_user_id,
    inside_sales.calendar_date,
    last_activity.last_activity_date
from inside_sales
inner join users
    on inside_sales.rep_user_id = users.user_id
inner join last_activity
    on inside_sales.rep_user_id = last_activity.owner_user_id
where
    not users.is_active
    and inside_sales.is_in_tenure
    and inside_sales.calendar_date > last_activity.last_activity_date
