{#- One row per inside-sales rep and day (reporting time zone, up to the as-of date) on
    which the rep owns open leads (int_kpi_inside_sales_lead_spans; the current lead
    owner, in inside sales on that day): how many, and how many of them are neglected -
    the lead's last personal touch by anyone (macro personal_touches), or its creation
    when it has none, lies more than var neglect_after_days days before the day.

    Built from changes, not from lead-days: each lead adds one to its owner's open leads
    on its creation date and takes it away on its close; its neglect clock restarts on
    creation and on each day with a touch, and a neglect spell runs from
    neglect_after_days + 1 days after a restart to the next restart or the close. Running
    sums of those changes give the daily counts. -#}
{%- set neglect_after_days = var('neglect_after_days') | int %}
with

lead_spans as (select * from {{ ref('int_kpi_inside_sales_lead_spans') }}),

users as (select * from {{ ref('dim_users') }}),

dates as (select * from {{ ref('dim_dates') }}),

as_of as (select * from {{ ref('int_as_of') }}),

as_of_date as (
    select {{ to_reporting_date('as_of_at') }} as as_of_date
    from as_of
),

touch_days as (
    select distinct
        touches.lead_id,
        touches.touched_date
    from ({{ personal_touches() }}) as touches
),

-- The days a lead's neglect clock restarts: its creation, and each day with a touch while
-- open (after the creation day, so the two parts never repeat a row: no distinct needed).
restarts as (
    select
        lead_id,
        owner_user_id,
        created_date as restart_date,
        closed_date
    from lead_spans
    union all
    select
        lead_spans.lead_id,
        lead_spans.owner_user_id,
        touch_days.touched_date as restart_date,
        lead_spans.closed_date
    from touch_days
    inner join lead_spans
        on touch_days.lead_id = lead_spans.lead_id
    where
        touch_days.touched_date > lead_spans.created_date
        and (touch_days.touched_date < lead_spans.closed_date or lead_spans.closed_date is null)
),

neglect_spells as (
    select
        owner_user_id,
        cast({{ dbt.dateadd('day', neglect_after_days + 1, 'restart_date') }} as date) as neglected_from,
        coalesce(lead(restart_date) over (partition by lead_id order by restart_date), closed_date) as neglected_until
    from restarts
),

changes as (
    select
        owner_user_id,
        created_date as change_date,
        1 as open_change,
        0 as neglected_change
    from lead_spans
    union all
    select
        owner_user_id,
        closed_date as change_date,
        -1 as open_change,
        0 as neglected_change
    from lead_spans
    where closed_date is not null
    union all
    select
        owner_user_id,
        neglected_from as change_date,
        0 as open_change,
        1 as neglected_change
    from neglect_spells
    where neglected_from < neglected_until or neglected_until is null
    union all
    select
        owner_user_id,
        neglected_until as change_date,
        0 as open_change,
        -1 as neglected_change
    from neglect_spells
    where neglected_from < neglected_until
),

-- Each owner's counts from a change date until the next one.
levels as (
    select
        changes.owner_user_id,
        changes.change_date,
        lead(changes.change_date) over by_day as next_change_date,
        sum(sum(changes.open_change)) over running as open_leads,
        sum(sum(changes.neglected_change)) over running as neglected_leads
    from changes
    cross join as_of_date
    where changes.change_date <= as_of_date.as_of_date
    group by changes.owner_user_id, changes.change_date
    window
        by_day as (partition by changes.owner_user_id order by changes.change_date),
        running as (
            partition by changes.owner_user_id order by changes.change_date
            rows between unbounded preceding and current row
        )
),

-- Each count's span cut to its owner's inside-sales periods, then one row per day of it:
-- cutting before expanding makes only the day rows that are kept (expanding first made
-- every day of every owner's span and dropped most).
inside_sales_levels as (
    select
        levels.owner_user_id,
        levels.open_leads,
        levels.neglected_leads,
        greatest(levels.change_date, users.valid_from) as span_start,
        -- least() skips a null: an open end on either side leaves the other.
        least(levels.next_change_date, users.valid_to) as span_end
    from levels
    inner join users
        on
            levels.owner_user_id = users.user_id
            and (levels.change_date < users.valid_to or users.valid_to is null)
            and (levels.next_change_date > users.valid_from or levels.next_change_date is null)
    where
        levels.open_leads > 0
        and users.department = 'inside_sales'
)

select
    inside_sales_levels.owner_user_id as rep_user_id,
    dates.calendar_date,
    cast(inside_sales_levels.open_leads as {{ dbt.type_bigint() }}) as open_leads,
    cast(inside_sales_levels.neglected_leads as {{ dbt.type_bigint() }}) as neglected_leads
from inside_sales_levels
cross join as_of_date
inner join dates
    on
        inside_sales_levels.span_start <= dates.calendar_date
        and (inside_sales_levels.span_end > dates.calendar_date or inside_sales_levels.span_end is null)
        and as_of_date.as_of_date >= dates.calendar_date
