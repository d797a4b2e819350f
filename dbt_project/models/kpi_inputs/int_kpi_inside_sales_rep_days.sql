{#- One row per inside-sales rep and day: the rep's activity counts of that day, the
    opportunities created that day from the leads the rep owns, and the rep's open and
    neglected leads that day (int_kpi_inside_sales_neglected_leads).

    Which rep-days exist: every day of a rep's working tenure in inside sales (so a
    working day without any activity shows as zeros), plus any day on which the rep,
    while in inside sales, owns a counted record or open leads. A worked day is a
    business day of the tenure or any other day on which the rep logged an activity.
    Tenure in inside sales runs over the user's inside-sales department periods
    (dim_users), from the user's first activity of any kind, to the as-of date; for a
    user who is no longer active it ends on the user's last activity (the extracts carry
    no leaving date, and a deactivated user makes no further calls). -#}
with

activities as (select * from {{ ref('fct_activities') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

leads as (select * from {{ ref('fct_leads') }}),

users as (select * from {{ ref('dim_users') }}),

dates as (select * from {{ ref('dim_dates') }}),

neglected_leads as (select * from {{ ref('int_kpi_inside_sales_neglected_leads') }}),

touches as ({{ personal_touches() }}
),

as_of as (select * from {{ ref('int_as_of') }}),

as_of_date as (
    select {{ to_reporting_date('as_of_at') }} as as_of_date
    from as_of
),

inside_sales_periods as (
    select
        user_id,
        valid_from,
        valid_to,
        user_name,
        coalesce(team_id, 'unassigned') as team_id,
        coalesce(team_name, 'unassigned') as team_name,
        is_active
    from users
    where department = 'inside_sales'
),

-- The base table, not the activities CTE: DuckDB materialises a CTE read twice, every
-- wide row of it.
user_activity_spans as (
    select
        owner_user_id as user_id,
        min(occurred_date) as first_activity_date,
        max(occurred_date) as last_activity_date
    from {{ ref('fct_activities') }}
    where owner_user_id is not null
    group by owner_user_id
),

tenure_days as (
    select
        inside_sales_periods.user_id,
        dates.calendar_date
    from inside_sales_periods
    inner join user_activity_spans
        on inside_sales_periods.user_id = user_activity_spans.user_id
    cross join as_of_date
    inner join dates
        on
            inside_sales_periods.valid_from <= dates.calendar_date
            and (inside_sales_periods.valid_to > dates.calendar_date or inside_sales_periods.valid_to is null)
            and user_activity_spans.first_activity_date <= dates.calendar_date
            and as_of_date.as_of_date >= dates.calendar_date
            and (inside_sales_periods.is_active or user_activity_spans.last_activity_date >= dates.calendar_date)
),

-- Each count defined once, per activity (personal touches on the day of the touch, a
-- meeting at its start); the lead-quality splits sum the same columns. An appointment
-- (macro is_appointment) is a meeting booked on a lead, counted on its booking day.
inside_sales_activities as (
    select
        activities.owner_user_id as user_id,
        activities.occurred_date as calendar_date,
        activities.lead_quality,
        case when activities.activity_type = 'call' and activities.is_completed then 1 else 0 end as calls,
        case
            when activities.activity_type = 'call' and activities.is_completed and activities.is_connected then 1
            else 0
        end as connected_calls,
        case when activities.activity_type = 'email' and activities.is_completed then 1 else 0 end as emails,
        case when {{ is_appointment('activities') }} then 1 else 0 end as appointments,
        case
            when activities.activity_type = 'call' and activities.is_completed and activities.is_connected
                then activities.hearing_item_count
            else 0
        end as hearing_items,
        0 as personal_touches,
        case when activities.is_completed then 1 else 0 end as logged_activities
    from activities
    where activities.owner_department = 'inside_sales'
    union all
    select
        owner_user_id as user_id,
        touched_date as calendar_date,
        lead_quality,
        0 as calls,
        0 as connected_calls,
        0 as emails,
        0 as appointments,
        0 as hearing_items,
        1 as personal_touches,
        0 as logged_activities
    from touches
    where owner_department = 'inside_sales'
),

activity_counts as (
    select
        user_id,
        calendar_date,
        {%- for count in ['calls', 'connected_calls', 'appointments'] %}
            {%- for quality, suffix in [('quality', '_on_quality_leads'), ('general', '_on_general_leads')] %}
                sum(case when lead_quality = '{{ quality }}' then {{ count }} else 0 end) as {{ count }}{{ suffix }},
            {%- endfor %}
            {%- if count != 'appointments' %}
                sum(case when lead_quality is null then {{ count }} else 0 end) as {{ count }}_without_lead,
            {%- endif %}
        {%- endfor %}
        sum(calls) as calls,
        sum(connected_calls) as connected_calls,
        sum(emails) as emails,
        sum(appointments) as appointments,
        sum(hearing_items) as hearing_items,
        sum(personal_touches) as personal_touches,
        sum(logged_activities) as logged_activities
    from inside_sales_activities
    group by user_id, calendar_date
),

opportunity_counts as (
    select
        leads.owner_user_id as user_id,
        opportunities.created_date as calendar_date,
        count(*) as opportunities,
        sum(case when leads.lead_quality = 'quality' then 1 else 0 end) as opportunities_on_quality_leads,
        sum(case when leads.lead_quality = 'general' then 1 else 0 end) as opportunities_on_general_leads
    from opportunities
    inner join leads
        on opportunities.lead_id = leads.lead_id
    where leads.owner_user_id is not null
    group by leads.owner_user_id, opportunities.created_date
),

rep_day_keys as (
    select
        user_id,
        calendar_date
    from tenure_days
    union
    select
        user_id,
        calendar_date
    from activity_counts
    union
    select
        user_id,
        calendar_date
    from opportunity_counts
    union
    select
        rep_user_id,
        calendar_date
    from neglected_leads
),

rep_days as (
    select
        rep_day_keys.user_id,
        rep_day_keys.calendar_date,
        inside_sales_periods.user_name,
        inside_sales_periods.team_id,
        inside_sales_periods.team_name
    from rep_day_keys
    inner join inside_sales_periods
        on {{ user_period_on('inside_sales_periods', 'rep_day_keys.user_id', 'rep_day_keys.calendar_date') }}
)

select
    rep_days.calendar_date,
    dates.is_business_day,
    dates.week_start,
    dates.month_start,
    dates.fiscal_quarter_start,
    rep_days.calendar_date = as_of_date.as_of_date as is_as_of_date,
    tenure_days.user_id is not null as is_in_tenure,
    tenure_days.user_id is not null
    and (dates.is_business_day or coalesce(activity_counts.logged_activities, 0) > 0) as is_worked_day,
    rep_days.user_id as rep_user_id,
    rep_days.user_name as rep_name,
    rep_days.team_id,
    rep_days.team_name,
    {%- for count in inside_sales_counts() %}
        {%- set counted_in = 'opportunity_counts' if count.startswith('opportunities') else 'activity_counts' %}
        coalesce({{ counted_in }}.{{ count }}, 0) as {{ count }},
    {%- endfor %}
    coalesce(neglected_leads.open_leads, 0) as open_leads,
    coalesce(neglected_leads.neglected_leads, 0) as neglected_leads
from rep_days
cross join as_of_date
inner join dates
    on rep_days.calendar_date = dates.calendar_date
left join tenure_days
    on
        rep_days.user_id = tenure_days.user_id
        and rep_days.calendar_date = tenure_days.calendar_date
left join activity_counts
    on
        rep_days.user_id = activity_counts.user_id
        and rep_days.calendar_date = activity_counts.calendar_date
left join opportunity_counts
    on
        rep_days.user_id = opportunity_counts.user_id
        and rep_days.calendar_date = opportunity_counts.calendar_date
left join neglected_leads
    on
        rep_days.user_id = neglected_leads.rep_user_id
        and rep_days.calendar_date = neglected_leads.calendar_date
