{#- kpi_funnel_overview, activity basis: at every period grain, the counts summed over all
    periods equal the rows of fct_funnel_events per step (and the won amount), per lead
    quality: every step event up to the as-of date falls in exactly one period per grain.
    Fails with one row per grain, quality and step whose totals differ. -#}
{%- set steps = funnel_steps() %}
{%- set count_of = funnel_step_count_columns() %}
with

overview as (
    select * from {{ ref('kpi_funnel_overview') }}
    where basis = 'activity'
),

funnel_events as (select * from {{ ref('fct_funnel_events') }}),

mart_totals as (
    {%- for step in steps %}
        select
            period_grain,
            lead_quality,
            '{{ step }}' as funnel_step,
            cast(sum({{ count_of[step] }}) as {{ type_double() }}) as mart_total
        from overview
        group by period_grain, lead_quality
        union all
    {%- endfor %}
    select
        period_grain,
        lead_quality,
        'won_amount' as funnel_step,
        sum(won_amount) as mart_total
    from overview
    group by period_grain, lead_quality
),

fact_totals_by_quality as (
    select
        lead_quality,
        funnel_step,
        cast(count(*) as {{ type_double() }}) as fact_total
    from funnel_events
    group by lead_quality, funnel_step
    union all
    select
        lead_quality,
        'won_amount' as funnel_step,
        cast(sum(coalesce(won_amount, 0)) as {{ type_double() }}) as fact_total
    from funnel_events
    where funnel_step = 'won'
    group by lead_quality
),

fact_totals as (
    select
        lead_quality,
        funnel_step,
        fact_total
    from fact_totals_by_quality
    union all
    select
        'all' as lead_quality,
        funnel_step,
        sum(fact_total) as fact_total
    from fact_totals_by_quality
    group by funnel_step
),

grains as (select distinct period_grain from overview)

select
    grains.period_grain,
    fact_totals.lead_quality,
    fact_totals.funnel_step,
    fact_totals.fact_total,
    mart_totals.mart_total
from fact_totals
cross join grains
left join mart_totals
    on
        grains.period_grain = mart_totals.period_grain
        and fact_totals.lead_quality = mart_totals.lead_quality
        and fact_totals.funnel_step = mart_totals.funnel_step
where
    mart_totals.mart_total is null
    or abs(mart_totals.mart_total - fact_totals.fact_total) > 0.01
