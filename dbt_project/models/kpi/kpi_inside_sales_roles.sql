{#- What this mart and each of its columns mean: _kpi_inside_sales_roles.yml, the one
    place its KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{%- set roles = ['nurture', 'recycle', 'upsell', 'outbound', 'all'] %}
{%- set counts = ['calls', 'connected_calls', 'appointments', 'opportunities', 'won', 'won_amount'] %}
{%- set keys = ['period_grain', 'period_start', 'team_id', 'rep_user_id', 'sales_role'] %}
with

role_days as (select * from {{ ref('int_kpi_inside_sales_role_days') }}),

reporting_periods as (
    select * from {{ ref('int_kpi_reporting_periods') }}
    where period_grain in ('week', 'month', 'fiscal_quarter')
),

users as (select * from {{ ref('dim_users') }}),

-- Names as they are now: a renamed team keeps one name across its periods.
teams as (select * from {{ ref('dim_teams') }}),

-- Activities and opportunities count on their day, a win on its close date (with the
-- rep, team and role of its opportunity), read as the records summed per day.
dated_counts as (
    select
        rep_user_id,
        team_id,
        sales_role,
        lead_quality,
        record_date as calendar_date,
        calls,
        connected_calls,
        appointments,
        opportunities,
        0 as won,
        cast(0 as {{ type_double() }}) as won_amount
    from role_days
    union all
    select
        rep_user_id,
        team_id,
        sales_role,
        lead_quality,
        won_date as calendar_date,
        0 as calls,
        0 as connected_calls,
        0 as appointments,
        0 as opportunities,
        won,
        won_amount
    from role_days
    where won_date is not null
),

rep_role_counts as (
    select
        reporting_periods.period_grain,
        reporting_periods.period_start,
        dated_counts.team_id,
        dated_counts.rep_user_id,
        dated_counts.sales_role,
        {%- for count in counts %}
            sum(dated_counts.{{ count }}) as {{ count }},
        {%- endfor %}
        dated_counts.lead_quality
    from dated_counts
    inner join reporting_periods
        on dated_counts.calendar_date = reporting_periods.calendar_date
    group by
        reporting_periods.period_grain,
        reporting_periods.period_start,
        dated_counts.team_id,
        dated_counts.rep_user_id,
        dated_counts.sales_role,
        dated_counts.lead_quality
),

-- Per rep and per team (rep 'all'), per role and over all roles (role 'all').
counts as (
    {{ rep_and_team_rollup('rep_role_counts', 'sales_role', counts) | indent(4) }}
),

-- Every rep and team of a period gets every role, zero-filled.
period_keys as (
    {{ rep_and_team_keys('counts', 'sales_role', roles) | indent(4) }}
),

counts_with_all as (
    {{ lead_quality_rows(
        keys='period_keys',
        key_columns=keys,
        join_columns=keys,
        counts='counts',
        measures=counts,
        qualities=['quality', 'general', 'no_lead'],
    ) | indent(4) }}
),

periods as (
    select distinct
        period_grain,
        period_start,
        period_end_date,
        is_period_complete
    from reporting_periods
)

select
    cast(counts_with_all.period_grain as {{ dbt.type_string() }}) as period_grain,
    counts_with_all.period_start,
    periods.period_end_date,
    periods.is_period_complete,
    cast(counts_with_all.team_id as {{ dbt.type_string() }}) as team_id,
    cast(coalesce(teams.team_name, counts_with_all.team_id) as {{ dbt.type_string() }}) as team_name,
    cast(counts_with_all.rep_user_id as {{ dbt.type_string() }}) as rep_user_id,
    cast(users.user_name as {{ dbt.type_string() }}) as rep_name,
    cast(counts_with_all.sales_role as {{ dbt.type_string() }}) as sales_role,
    cast(counts_with_all.lead_quality as {{ dbt.type_string() }}) as lead_quality,
    cast(counts_with_all.calls as {{ dbt.type_bigint() }}) as calls,
    cast(counts_with_all.connected_calls as {{ dbt.type_bigint() }}) as connected_calls,
    {{ safe_divide('counts_with_all.connected_calls', 'counts_with_all.calls') }} as contact_rate,
    cast(counts_with_all.appointments as {{ dbt.type_bigint() }}) as appointments,
    {{ safe_divide('counts_with_all.appointments', 'counts_with_all.connected_calls') }} as appointment_rate,
    cast(counts_with_all.opportunities as {{ dbt.type_bigint() }}) as opportunities,
    {{ safe_divide('counts_with_all.opportunities', 'counts_with_all.appointments') }} as opportunities_per_appointment,
    cast(counts_with_all.won as {{ dbt.type_bigint() }}) as won,
    {{ safe_divide('counts_with_all.won', 'counts_with_all.opportunities') }} as won_per_opportunity,
    cast(counts_with_all.won_amount as {{ type_double() }}) as won_amount
from counts_with_all
inner join periods
    on
        counts_with_all.period_grain = periods.period_grain
        and counts_with_all.period_start = periods.period_start
left join teams
    on counts_with_all.team_id = teams.team_id
left join users
    on
        counts_with_all.rep_user_id = users.user_id
        and users.is_current
