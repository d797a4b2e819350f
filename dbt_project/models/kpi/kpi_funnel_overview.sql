{#- What this mart and each of its columns mean: _kpi_funnel_overview.yml, the one place
    its KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{%- set steps = funnel_steps() %}
{%- set count_of = funnel_step_count_columns() %}
{%- set step_counts = [] %}
{%- for step in steps %}{% do step_counts.append(count_of[step]) %}{% endfor %}
with

leads as (select * from {{ ref('fct_leads') }}),

funnel_events as (select * from {{ ref('fct_funnel_events') }}),

reporting_periods as (select * from {{ ref('int_kpi_reporting_periods') }}),

cohort_counts as (
    select
        'cohort' as basis,
        reporting_periods.period_grain,
        reporting_periods.period_start,
        leads.lead_quality,
        {%- for step in steps %}
            sum(case when leads.reached_{{ step }} then 1 else 0 end) as {{ count_of[step] }},
        {%- endfor %}
        sum(
            case when leads.reached_won then cast(coalesce(leads.won_amount, 0) as {{ dbt.type_numeric() }}) else 0 end
        ) as won_amount
    from leads
    inner join reporting_periods
        on leads.created_date = reporting_periods.calendar_date
    where leads.reached_lead
    group by
        reporting_periods.period_grain,
        reporting_periods.period_start,
        leads.lead_quality
),

activity_counts as (
    select
        'activity' as basis,
        reporting_periods.period_grain,
        reporting_periods.period_start,
        funnel_events.lead_quality,
        {%- for step in steps %}
            sum(case when funnel_events.funnel_step = '{{ step }}' then 1 else 0 end) as {{ count_of[step] }},
        {%- endfor %}
        sum(
            case
                when funnel_events.funnel_step = 'won'
                    then cast(coalesce(funnel_events.won_amount, 0) as {{ dbt.type_numeric() }})
                else 0
            end
        ) as won_amount
    from funnel_events
    inner join reporting_periods
        on funnel_events.step_date = reporting_periods.calendar_date
    group by
        reporting_periods.period_grain,
        reporting_periods.period_start,
        funnel_events.lead_quality
),

counts as (
    select * from cohort_counts
    union all
    select * from activity_counts
),

periods as (
    select distinct
        period_grain,
        period_start,
        period_end_date,
        is_period_complete
    from reporting_periods
),

bases as (
    select 'cohort' as basis
    union all
    select 'activity' as basis
),

period_keys as (
    select
        bases.basis,
        periods.period_grain,
        periods.period_start,
        periods.period_end_date,
        periods.is_period_complete
    from periods
    cross join bases
),

counts_with_all as (
    {{ lead_quality_rows(
        keys='period_keys',
        key_columns=['basis', 'period_grain', 'period_start', 'period_end_date', 'is_period_complete'],
        join_columns=['basis', 'period_grain', 'period_start'],
        counts='counts',
        measures=step_counts + ['won_amount'],
    ) | indent(4) }}
),

quality_shares as (
    select
        basis,
        period_grain,
        period_start,
    {%- for step in steps %}
        sum(case when lead_quality = 'quality' then {{ count_of[step] }} else 0 end) as quality_{{ count_of[step] }},
        sum(case when lead_quality = 'all' then {{ count_of[step] }} else 0 end) as all_{{ count_of[step] }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from counts_with_all
    group by basis, period_grain, period_start
)

select
    cast(counts_with_all.basis as {{ dbt.type_string() }}) as basis,
    cast(counts_with_all.period_grain as {{ dbt.type_string() }}) as period_grain,
    counts_with_all.period_start,
    counts_with_all.period_end_date,
    counts_with_all.is_period_complete,
    cast(counts_with_all.lead_quality as {{ dbt.type_string() }}) as lead_quality,
    {%- for step in steps %}
        cast(counts_with_all.{{ count_of[step] }} as {{ dbt.type_bigint() }}) as {{ count_of[step] }},
    {%- endfor %}
    cast(counts_with_all.won_amount as {{ type_double() }}) as won_amount,
    {#- step-to-step conversions: cohort basis only #}
    {%- for step in steps[1:] %}
        {%- set previous = steps[loop.index0] %}
        case
            when counts_with_all.basis = 'cohort'
                then {{ safe_divide('counts_with_all.' ~ count_of[step], 'counts_with_all.' ~ count_of[previous]) }}
        end as {{ previous }}_to_{{ step }}_rate,
    {%- endfor %}
    case
        when counts_with_all.basis = 'cohort'
            then {{ safe_divide('counts_with_all.won', 'counts_with_all.leads') }}
    end as lead_to_won_rate,
    {#- quality-lead rate per step: the same on the three rows of a period #}
{%- for step in steps %}
    cast(quality_shares.quality_{{ count_of[step] }} as {{ dbt.type_bigint() }}) as quality_{{ count_of[step] }},
    cast(quality_shares.all_{{ count_of[step] }} as {{ dbt.type_bigint() }}) as all_{{ count_of[step] }},
    {{ safe_divide('quality_shares.quality_' ~ count_of[step], 'quality_shares.all_' ~ count_of[step]) }}
        as quality_lead_rate_{{ count_of[step] }}
    {{- ',' if not loop.last }}
{%- endfor %}
from counts_with_all
inner join quality_shares
    on
        counts_with_all.basis = quality_shares.basis
        and counts_with_all.period_grain = quality_shares.period_grain
        and counts_with_all.period_start = quality_shares.period_start
