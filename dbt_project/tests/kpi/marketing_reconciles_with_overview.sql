{#- kpi_marketing and kpi_funnel_overview tell the same story: per month and fiscal quarter,
    marketing's leads, quality leads, opportunities, won and won amount summed over lead
    sources and campaign types equal the overview's cohort figures for all leads. Fails
    with the period and both sides. -#}
with

marketing as (select * from {{ ref('kpi_marketing') }}),
overview as (
    select * from {{ ref('kpi_funnel_overview') }}
    where basis = 'cohort'
        and lead_quality = 'all'
        and period_grain in ('month', 'fiscal_quarter')
),

marketing_totals as (
    select
        period_grain,
        period_start,
        sum(leads) as leads,
        sum(quality_leads) as quality_leads,
        sum(opportunities) as opportunities,
        sum(won) as won,
        sum(won_amount) as won_amount
    from marketing
    group by period_grain, period_start
)

select
    overview.period_grain,
    overview.period_start,
    overview.leads as overview_leads,
    marketing_totals.leads as marketing_leads,
    overview.quality_leads as overview_quality_leads,
    marketing_totals.quality_leads as marketing_quality_leads
from overview
left join marketing_totals
    on overview.period_grain = marketing_totals.period_grain
    and overview.period_start = marketing_totals.period_start
where coalesce(marketing_totals.leads, 0) <> overview.leads
    or coalesce(marketing_totals.quality_leads, 0) <> overview.quality_leads
    or coalesce(marketing_totals.opportunities, 0) <> overview.opportunities
    or coalesce(marketing_totals.won, 0) <> overview.won
    or abs(coalesce(marketing_totals.won_amount, 0) - overview.won_amount) > 0.01
