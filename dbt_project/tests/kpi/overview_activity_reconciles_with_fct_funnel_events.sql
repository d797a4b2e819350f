{#- kpi_funnel_overview, activity basis: at every period grain, the counts summed over all
    periods equal the rows of fct_funnel_events per step (and the won amount), per lead
    quality: every step event up to the as-of date falls in exactly one period per grain.
    Fails with one row per grain, quality and step whose totals differ. -#}
{%- set measures = funnel_step_count_columns() %}
{%- do measures.update({'won_amount': 'won_amount'}) %}
with

overview as (
    select * from {{ ref('kpi_funnel_overview') }}
    where basis = 'activity'
),

funnel_events as (select * from {{ ref('fct_funnel_events') }}),

fact_totals as (
    select
        lead_quality,
        funnel_step as measure,
        count(*) as fact_total
    from funnel_events
    group by lead_quality, funnel_step
    union all
    select
        lead_quality,
        'won_amount' as measure,
        sum(coalesce(won_amount, 0)) as fact_total
    from funnel_events
    where funnel_step = 'won'
    group by lead_quality
),

{{ totals_reconcile_at_every_grain('overview', measures, 'fact_totals') }}
