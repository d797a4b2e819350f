-- A rep appears in kpi_inside_sales only on days on which dim_users puts the rep in
-- inside sales (a rep who moved departments appears only for the inside-sales days).
-- Fails with each rep-day outside an inside-sales department period.
with

inside_sales as (select * from {{ ref('kpi_inside_sales') }}),

users as (select * from {{ ref('dim_users') }})

select
    inside_sales.rep_user_id,
    inside_sales.calendar_date
from inside_sales
left join users
    on
        inside_sales.rep_user_id = users.user_id
        and inside_sales.calendar_date >= users.valid_from
        and (inside_sales.calendar_date < users.valid_to or users.valid_to is null)
        and users.department = 'inside_sales'
where users.user_id is null
