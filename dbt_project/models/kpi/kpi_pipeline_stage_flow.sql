{#- What this mart and each of its columns mean: _kpi_pipeline.yml, the one place its
    KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{%- set exits = ['advanced', 'regressed', 'won', 'lost', 'reopened', 'changed_outcome'] %}
with

visits as (select * from {{ ref('int_opportunity_stage_visits') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

dates as (select * from {{ ref('dim_dates') }}),

{#- Business days before each day: the difference of two days' counts is the number of
    business days from the first (included) to the second (excluded). #}

business_day_counts as (
    select
        calendar_date,
        sum(case when is_business_day then 1 else 0 end) over (
            order by calendar_date rows between unbounded preceding and current row
        ) - case when is_business_day then 1 else 0 end as business_days_before
    from dates
),

measured_visits as (
    select
        visits.stage_name,
        visits.stage_order,
        visits.opportunity_id,
        coalesce(opportunities.lead_quality, opportunities.origin) as lead_quality,
        visits.exit_kind,
        case
            when visits.left_date is not null
                then {{ dbt.datediff('visits.entered_date', 'visits.left_date', 'day') }}
        end as days_in_stage,
        left_days.business_days_before - entered_days.business_days_before as business_days_in_stage
    from visits
    inner join opportunities
        on visits.opportunity_id = opportunities.opportunity_id
    inner join business_day_counts as entered_days
        on visits.entered_date = entered_days.calendar_date
    left join business_day_counts as left_days
        on visits.left_date = left_days.calendar_date
),

classes as (
    select * from measured_visits
    union all
    select
        stage_name,
        stage_order,
        opportunity_id,
        'all' as lead_quality,
        exit_kind,
        days_in_stage,
        business_days_in_stage
    from measured_visits
),

flows as (
    select
        stage_name,
        stage_order,
        lead_quality,
        count(*) as stage_entries,
        count(distinct opportunity_id) as opportunities_entered,
        sum(case when exit_kind is not null then 1 else 0 end) as stage_exits,
        {%- for exit in exits %}
            sum(case when exit_kind = '{{ exit }}' then 1 else 0 end) as {{ exit }}_exits,
        {%- endfor %}
        sum(case when exit_kind is null then 1 else 0 end) as still_in_stage,
        avg(case when exit_kind is not null then days_in_stage end) as avg_days_in_stage,
        avg(case when exit_kind is not null then business_days_in_stage end) as avg_business_days_in_stage
    from classes
    group by stage_name, stage_order, lead_quality
)

select
    cast(stage_name as {{ dbt.type_string() }}) as stage_name,
    cast(stage_order as {{ dbt.type_int() }}) as stage_order,
    cast(lead_quality as {{ dbt.type_string() }}) as lead_quality,
    cast(stage_entries as {{ dbt.type_bigint() }}) as stage_entries,
    cast(opportunities_entered as {{ dbt.type_bigint() }}) as opportunities_entered,
    cast(stage_exits as {{ dbt.type_bigint() }}) as stage_exits,
    {%- for exit in exits %}
        cast({{ exit }}_exits as {{ dbt.type_bigint() }}) as {{ exit }}_exits,
    {%- endfor %}
    cast(still_in_stage as {{ dbt.type_bigint() }}) as still_in_stage,
    cast(
        {{ safe_divide('advanced_exits + won_exits', 'advanced_exits + won_exits + regressed_exits + lost_exits') }}
        as {{ type_double() }}
    ) as stage_conversion_rate,
    cast(
        {{ safe_divide('regressed_exits', 'advanced_exits + won_exits + regressed_exits + lost_exits') }}
        as {{ type_double() }}
    ) as regression_rate,
    cast(avg_days_in_stage as {{ type_double() }}) as avg_days_in_stage,
    cast(avg_business_days_in_stage as {{ type_double() }}) as avg_business_days_in_stage
from flows
