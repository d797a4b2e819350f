{#- What this mart and each of its columns mean: _kpi_inside_sales_speed_to_lead.yml, the
    one place its KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{%- set buckets = ['within_1_hour', '1_to_4_hours', 'same_business_day', 'later', 'never', 'all'] %}
{%- set counts = ['leads', 'attempted_leads', 'leads_attempted_within_sla', 'connected_leads',
                  'leads_with_appointment', 'leads_with_opportunity'] %}
{%- set keys = ['period_grain', 'period_start', 'team_id', 'rep_user_id', 'response_bucket'] %}
with

-- The leads inside sales answers for: attempted by inside sales, or owned there.
speed_to_lead as (
    select * from {{ ref('int_kpi_inside_sales_speed_to_lead') }}
    where rep_department = 'inside_sales'
),

reporting_periods as (
    select * from {{ ref('int_kpi_reporting_periods') }}
    where period_grain in ('week', 'month', 'fiscal_quarter')
),

users as (select * from {{ ref('dim_users') }}),

-- Names as they are now: a renamed team keeps one name across its periods.
teams as (select * from {{ ref('dim_teams') }}),

lead_periods as (
    select
        reporting_periods.period_grain,
        reporting_periods.period_start,
        speed_to_lead.team_id,
        speed_to_lead.rep_user_id,
        speed_to_lead.response_bucket,
        speed_to_lead.lead_quality,
        speed_to_lead.business_minutes_to_first_attempt,
        speed_to_lead.business_minutes_to_first_connect,
        case when speed_to_lead.first_attempt_at is not null then 1 else 0 end as is_attempted,
        case when speed_to_lead.is_attempted_within_sla then 1 else 0 end as is_within_sla,
        case when speed_to_lead.first_connected_call_at is not null then 1 else 0 end as is_connected,
        case when speed_to_lead.reached_appointment then 1 else 0 end as has_appointment,
        case when speed_to_lead.reached_opportunity then 1 else 0 end as has_opportunity
    from speed_to_lead
    inner join reporting_periods
        on speed_to_lead.created_date = reporting_periods.calendar_date
),

rep_bucket_counts as (
    select
        period_grain,
        period_start,
        team_id,
        rep_user_id,
        response_bucket,
        lead_quality,
        count(*) as leads,
        sum(is_attempted) as attempted_leads,
        sum(is_within_sla) as leads_attempted_within_sla,
        sum(is_connected) as connected_leads,
        sum(has_appointment) as leads_with_appointment,
        sum(has_opportunity) as leads_with_opportunity
    from lead_periods
    group by period_grain, period_start, team_id, rep_user_id, response_bucket, lead_quality
),

-- Per rep and per team (rep 'all'), per response bucket and over all of them (bucket
-- 'all'), each lead quality.
counts as (
    {{ rep_and_team_rollup('rep_bucket_counts', 'response_bucket', counts) | indent(4) }}
),

-- Every rep and team of a period gets every bucket, zero-filled.
period_keys as (
    {{ rep_and_team_keys('counts', 'response_bucket', buckets) | indent(4) }}
),

counts_with_all as (
    {{ lead_quality_rows(
        keys='period_keys',
        key_columns=keys,
        join_columns=keys,
        counts='counts',
        measures=counts,
    ) | indent(4) }}
),

-- Medians do not add up: each rep, team and quality class (and 'all') over its own
-- leads, on the rows of all buckets.
medians as (
    {%- for by_rep, by_quality in [(true, true), (true, false), (false, true), (false, false)] %}
        select
            period_grain,
            period_start,
            team_id,
            {{ 'rep_user_id' if by_rep else "'all' as rep_user_id" }},
            'all' as response_bucket,
            {{ 'lead_quality' if by_quality else "'all' as lead_quality" }},
            {{ median('business_minutes_to_first_attempt') }} as median_business_minutes_to_first_attempt,
            {{ median('business_minutes_to_first_connect') }} as median_business_minutes_to_first_connect
        from lead_periods
        group by
            period_grain,
            period_start,
            {%- if by_rep %}
                rep_user_id,
            {%- endif %}
            {%- if by_quality %}
                lead_quality,
            {%- endif %}
            team_id
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
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
    cast(counts_with_all.response_bucket as {{ dbt.type_string() }}) as response_bucket,
    cast(counts_with_all.lead_quality as {{ dbt.type_string() }}) as lead_quality,
    cast(counts_with_all.leads as {{ dbt.type_bigint() }}) as leads,
    cast(counts_with_all.attempted_leads as {{ dbt.type_bigint() }}) as attempted_leads,
    cast(counts_with_all.leads_attempted_within_sla as {{ dbt.type_bigint() }}) as leads_attempted_within_sla,
    {{ safe_divide('counts_with_all.leads_attempted_within_sla', 'counts_with_all.leads') }} as within_sla_share,
    medians.median_business_minutes_to_first_attempt,
    cast(counts_with_all.connected_leads as {{ dbt.type_bigint() }}) as connected_leads,
    medians.median_business_minutes_to_first_connect,
    cast(counts_with_all.leads_with_appointment as {{ dbt.type_bigint() }}) as leads_with_appointment,
    {{ safe_divide('counts_with_all.leads_with_appointment', 'counts_with_all.leads') }} as lead_to_appointment_rate,
    cast(counts_with_all.leads_with_opportunity as {{ dbt.type_bigint() }}) as leads_with_opportunity,
    {{ safe_divide('counts_with_all.leads_with_opportunity', 'counts_with_all.leads') }} as lead_to_opportunity_rate
from counts_with_all
inner join periods
    on
        counts_with_all.period_grain = periods.period_grain
        and counts_with_all.period_start = periods.period_start
left join medians
    on
        counts_with_all.period_grain = medians.period_grain
        and counts_with_all.period_start = medians.period_start
        and counts_with_all.team_id = medians.team_id
        and counts_with_all.rep_user_id = medians.rep_user_id
        and counts_with_all.response_bucket = medians.response_bucket
        and counts_with_all.lead_quality = medians.lead_quality
left join teams
    on counts_with_all.team_id = teams.team_id
left join users
    on
        counts_with_all.rep_user_id = users.user_id
        and users.is_current
