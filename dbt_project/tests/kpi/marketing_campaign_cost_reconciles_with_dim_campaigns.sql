{#- kpi_marketing: at each period grain, campaign_cost summed over the mart equals the cost
    of the campaigns in dim_campaigns that are dated in the data range: those that brought
    in at least one lead created between the first date with data and the as-of date,
    plus those without such a lead whose start date lies in that range. Nothing is lost
    or counted twice by the per-lead allocation. Fails with the grain and both totals. -#}
with

marketing as (select * from {{ ref('kpi_marketing') }}),

campaigns as (select * from {{ ref('dim_campaigns') }}),

leads as (select * from {{ ref('fct_leads') }}),

reporting_periods as (select * from {{ ref('int_kpi_reporting_periods') }}),

reporting_range as (
    select
        min(calendar_date) as first_date,
        max(calendar_date) as last_date
    from reporting_periods
),

campaigns_with_leads as (
    select distinct leads.campaign_id
    from leads
    cross join reporting_range
    where
        leads.reached_lead
        and leads.created_date between reporting_range.first_date and reporting_range.last_date
),

expected as (
    select sum(campaigns.cost) as expected_cost
    from campaigns
    cross join reporting_range
    left join campaigns_with_leads
        on campaigns.campaign_id = campaigns_with_leads.campaign_id
    where
        campaigns_with_leads.campaign_id is not null
        or campaigns.start_date between reporting_range.first_date and reporting_range.last_date
),

actual as (
    select
        period_grain,
        sum(campaign_cost) as mart_cost
    from marketing
    group by period_grain
)

select
    actual.period_grain,
    actual.mart_cost,
    expected.expected_cost
from actual
cross join expected
where abs(actual.mart_cost - coalesce(expected.expected_cost, 0)) > 0.5
