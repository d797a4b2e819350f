{#- kpi_funnel_overview, cohort basis: at every period grain, the counts summed over all
    periods equal fct_leads' leads that reached each step (and their won amount), per lead
    quality. Every lead created up to the as-of date falls in exactly one period per
    grain. Fails with one row per grain, quality and step whose totals differ. -#}
{%- set measures = funnel_step_count_columns() %}
{%- do measures.update({'won_amount': 'won_amount'}) %}
with

overview as (
    select * from {{ ref('kpi_funnel_overview') }}
    where basis = 'cohort'
),

leads as (
    select * from {{ ref('fct_leads') }}
    where reached_lead
),

fact_totals as (
    {%- for step in funnel_steps() %}
        select
            lead_quality,
            '{{ step }}' as measure,
            sum(case when reached_{{ step }} then 1 else 0 end) as fact_total
        from leads
        group by lead_quality
        union all
    {%- endfor %}
    select
        lead_quality,
        'won_amount' as measure,
        sum(case when reached_won then coalesce(won_amount, 0) else 0 end) as fact_total
    from leads
    group by lead_quality
),

{{ totals_reconcile_at_every_grain('overview', measures, 'fact_totals') }}
