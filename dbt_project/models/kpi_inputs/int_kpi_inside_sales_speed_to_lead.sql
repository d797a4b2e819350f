{#- One row per lead with how fast inside sales first reached it, in business minutes.
    Definitions: _int_kpi_inside_sales_speed_to_lead.yml.

    Incremental: a refresh rebuilds the leads int_lead_changes lists (their fct_leads
    row, owner or activities' records changed; the pre-hook deletes their rows), the
    leads with an activity by an owner whose department or team changed, and the leads
    with an activity later than every lead held (the as-of instant may have reached
    it). Calendar, seed and var changes change the definitions: a full refresh. -#}
{{ config(unique_key='lead_id', pre_hook="{{ delete_lead_changes() }}") }}
{%- set hour = 60 %}
{%- set day_length = business_hours()['length'] %}
{%- set lead_changes = ref('int_lead_changes') %}
{%- set changed_owners = ref('int_changed_users') %}
{%- set first_attempt_order = ['occurred_at', 'activity_id'] %}
{%- set affected_leads_only %}
    {%- if is_incremental() %}
    where lead_id in (select lead_id from affected)
    {%- endif %}
{%- endset %}
with
{% if is_incremental() %}
affected as (
    select lead_id from {{ lead_changes }}
    union
    select lead_id from {{ ref('fct_activities') }}
    where
        owner_user_id in (select user_id from {{ changed_owners }})
        or occurred_at > (select max(created_at) from {{ this }})
),
{% endif %}
leads as (
    select * from {{ ref('fct_leads') }}{{ affected_leads_only }}
),

activities as (
    select * from {{ ref('fct_activities') }}{{ affected_leads_only }}
),

-- The base table again, not the activities CTE: DuckDB materialises a CTE read twice.
activity_owners as (
    select
        activity_id,
        owner_user_id,
        owner_team_id,
        owner_team_name
    from {{ ref('fct_activities') }}{{ affected_leads_only }}
),

users as (select * from {{ ref('dim_users') }}),

dates as (select * from {{ ref('dim_dates') }}),

email_subtypes as (select * from {{ ref('email_subtype_mapping') }}),

clock as (
    {{ business_clock('dates') | indent(4) }}
),

created_leads as (
    select
        lead_id,
        lead_quality,
        created_at,
        created_date,
        owner_user_id,
        reached_appointment,
        reached_opportunity
    from leads
    where reached_lead
),

-- A call (answered or not) or a one-to-one e-mail by someone in inside sales that day,
-- at or after the lead's creation (an earlier activity answered no new lead).
attempts as (
    select
        activities.lead_id,
        activities.activity_id,
        activities.occurred_at,
        activities.activity_type = 'call' and activities.is_connected as is_connected_call
    from activities
    inner join created_leads
        on activities.lead_id = created_leads.lead_id
    left join email_subtypes
        on trim(activities.task_subtype) = email_subtypes.task_subtype
    where
        activities.owner_department = 'inside_sales'
        and activities.is_completed
        and activities.occurred_at >= created_leads.created_at
        and (activities.activity_type = 'call' or {{ is_one_to_one_email('activities', 'email_subtypes') }})
),

-- One pass over the attempts. The first attempt: of attempts logged at the same instant,
-- the lowest id; its owner is read from its row (cheaper than carrying three owner
-- columns through the aggregate).
earliest_attempts as (
    select
        lead_id,
        min(occurred_at) as first_attempt_at,
        min(case when is_connected_call then occurred_at end) as first_connected_call_at,
        {{ min_by('activity_id', first_attempt_order) }} as first_attempt_id
    from attempts
    group by lead_id
),

first_attempts as (
    select
        earliest_attempts.lead_id,
        earliest_attempts.first_attempt_at,
        earliest_attempts.first_connected_call_at,
        activity_owners.owner_user_id,
        coalesce(activity_owners.owner_team_id, 'unassigned') as owner_team_id,
        coalesce(activity_owners.owner_team_name, 'unassigned') as owner_team_name
    from earliest_attempts
    inner join activity_owners
        on earliest_attempts.first_attempt_id = activity_owners.activity_id
),

-- A lead nobody attempted stays with its owner, as of its creation day.
responses as (
    select
        created_leads.lead_id,
        created_leads.lead_quality,
        created_leads.created_at,
        created_leads.created_date,
        created_leads.reached_appointment,
        created_leads.reached_opportunity,
        first_attempts.first_attempt_at,
        first_attempts.first_connected_call_at,
        coalesce(first_attempts.owner_user_id, created_leads.owner_user_id) as rep_user_id,
        case
            when first_attempts.lead_id is not null then 'inside_sales'
            else coalesce(owners.department, 'unassigned')
        end as rep_department,
        coalesce(first_attempts.owner_team_id, owners.team_id, 'unassigned') as team_id,
        coalesce(first_attempts.owner_team_name, owners.team_name, 'unassigned') as team_name,
        {{ to_reporting_timestamp('created_leads.created_at') }} as created_local_at,
        {{ to_reporting_timestamp('first_attempts.first_attempt_at') }} as first_attempt_local_at,
        {{ to_reporting_timestamp('first_attempts.first_connected_call_at') }} as first_connected_call_local_at
    from created_leads
    left join first_attempts
        on created_leads.lead_id = first_attempts.lead_id
    left join users as owners
        on
            first_attempts.lead_id is null
            and {{ user_period_on('owners', 'created_leads.owner_user_id', 'created_leads.created_date') }}
),

on_the_clock as (
    select
        responses.*,
        {{ business_clock_seconds('created_clock', 'responses.created_local_at') }} as created_clock_seconds,
        {{ business_clock_seconds('attempt_clock', 'responses.first_attempt_local_at') }} as attempt_clock_seconds,
        {{ business_clock_seconds('connect_clock', 'responses.first_connected_call_local_at') }}
            as connect_clock_seconds
    from responses
    left join clock as created_clock
        on cast(responses.created_local_at as date) = created_clock.calendar_date
    left join clock as attempt_clock
        on cast(responses.first_attempt_local_at as date) = attempt_clock.calendar_date
    left join clock as connect_clock
        on cast(responses.first_connected_call_local_at as date) = connect_clock.calendar_date
),

measured as (
    select
        *,
        -- A double, not a decimal: Spark's decimal division would round to 6 places.
        cast(attempt_clock_seconds - created_clock_seconds as {{ type_double() }}) / 60
            as business_minutes_to_first_attempt,
        cast(connect_clock_seconds - created_clock_seconds as {{ type_double() }}) / 60
            as business_minutes_to_first_connect,
        -- The close of the lead's first business day (the first whose hours had not ended
        -- at creation) on the clock: every business day is one day length long.
        (floor(created_clock_seconds / {{ day_length }}) + 1) * {{ day_length }}
            as first_business_day_close_seconds
    from on_the_clock
)

select
    lead_id,
    cast(lead_quality as {{ dbt.type_string() }}) as lead_quality,
    created_at,
    created_date,
    cast(rep_user_id as {{ dbt.type_string() }}) as rep_user_id,
    cast(rep_department as {{ dbt.type_string() }}) as rep_department,
    cast(team_id as {{ dbt.type_string() }}) as team_id,
    cast(team_name as {{ dbt.type_string() }}) as team_name,
    first_attempt_at,
    first_connected_call_at,
    cast(business_minutes_to_first_attempt as {{ type_double() }}) as business_minutes_to_first_attempt,
    cast(business_minutes_to_first_connect as {{ type_double() }}) as business_minutes_to_first_connect,
    cast(case
        when first_attempt_at is null then 'never'
        when business_minutes_to_first_attempt <= {{ hour }} then 'within_1_hour'
        when business_minutes_to_first_attempt <= 4 * {{ hour }} then '1_to_4_hours'
        when attempt_clock_seconds <= first_business_day_close_seconds then 'same_business_day'
        else 'later'
    end as {{ dbt.type_string() }}) as response_bucket,
    first_attempt_at is not null
    and business_minutes_to_first_attempt <= {{ var('speed_to_lead_sla_minutes') }} as is_attempted_within_sla,
    reached_appointment,
    reached_opportunity
from measured
