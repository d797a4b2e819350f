{#- What this mart and each of its columns mean: _kpi_marketing.yml, the one place
    its KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{%- set grains = "('month', 'fiscal_quarter', 'fiscal_half')" %}
with

leads as (select * from {{ ref('fct_leads') }}),

campaigns as (select * from {{ ref('dim_campaigns') }}),

reporting_periods as (select * from {{ ref('int_kpi_reporting_periods') }}),

reporting_dates as (
    select calendar_date
    from reporting_periods
    where period_grain = 'day'
),

periods as (
    select distinct
        period_grain,
        period_start,
        period_end_date,
        is_period_complete
    from reporting_periods
),

reporting_leads as (
    select
        leads.lead_id,
        leads.created_date,
        coalesce(leads.lead_source, 'unknown') as lead_source,
        leads.campaign_id,
        leads.lead_quality,
        leads.reached_opportunity,
        leads.reached_won,
        leads.won_amount
    from leads
    inner join reporting_dates
        on leads.created_date = reporting_dates.calendar_date
    where leads.reached_lead
),

campaign_lead_counts as (
    select
        campaign_id,
        count(*) as campaign_leads
    from reporting_leads
    where campaign_id is not null
    group by campaign_id
),

lead_rows as (
    select
        reporting_leads.created_date,
        reporting_leads.lead_source,
        case
            when campaigns.campaign_id is null then 'no_campaign'
            else coalesce(campaigns.campaign_type, 'unspecified')
        end as campaign_type,
        campaigns.campaign_id,
        case when reporting_leads.lead_quality = 'quality' then 1 else 0 end as is_quality_lead,
        case when reporting_leads.reached_opportunity then 1 else 0 end as is_opportunity,
        case when reporting_leads.reached_won then 1 else 0 end as is_won,
        case
            when
                reporting_leads.reached_won
                then cast(coalesce(reporting_leads.won_amount, 0) as {{ dbt.type_numeric() }}) else
                0
        end as won_amount
    from reporting_leads
    left join campaigns
        on reporting_leads.campaign_id = campaigns.campaign_id
),

leads_by_campaign as (
    select
        reporting_periods.period_grain,
        reporting_periods.period_start,
        lead_rows.lead_source,
        lead_rows.campaign_type,
        lead_rows.campaign_id,
        count(*) as leads,
        sum(lead_rows.is_quality_lead) as quality_leads,
        sum(lead_rows.is_opportunity) as opportunities,
        sum(lead_rows.is_won) as won,
        sum(lead_rows.won_amount) as won_amount
    from lead_rows
    inner join reporting_periods
        on lead_rows.created_date = reporting_periods.calendar_date
    where reporting_periods.period_grain in {{ grains }}
    group by
        reporting_periods.period_grain,
        reporting_periods.period_start,
        lead_rows.lead_source,
        lead_rows.campaign_type,
        lead_rows.campaign_id
),

{#- A campaign's cost times the share of its leads in the row, held as a decimal (to a
    millionth of a yen) so that summing is exact: a rebuild gives the same figures to the
    last bit whatever order the database adds them in. #}

costed_leads as (
    select
        leads_by_campaign.period_grain,
        leads_by_campaign.period_start,
        leads_by_campaign.lead_source,
        leads_by_campaign.campaign_type,
        leads_by_campaign.leads,
        leads_by_campaign.quality_leads,
        coalesce(
            cast(
                cast(campaigns.cost as {{ type_double() }}) * leads_by_campaign.leads
                / campaign_lead_counts.campaign_leads
                as {{ dbt.type_numeric() }}
            ),
            0
        ) as campaign_cost,
        leads_by_campaign.opportunities,
        leads_by_campaign.won,
        leads_by_campaign.won_amount
    from leads_by_campaign
    left join campaigns
        on leads_by_campaign.campaign_id = campaigns.campaign_id
    left join campaign_lead_counts
        on leads_by_campaign.campaign_id = campaign_lead_counts.campaign_id
),

costed_campaigns_without_leads as (
    select
        reporting_periods.period_grain,
        reporting_periods.period_start,
        'no_leads' as lead_source,
        coalesce(campaigns.campaign_type, 'unspecified') as campaign_type,
        0 as leads,
        0 as quality_leads,
        cast(campaigns.cost as {{ dbt.type_numeric() }}) as campaign_cost,
        0 as opportunities,
        0 as won,
        0 as won_amount
    from campaigns
    inner join reporting_periods
        on campaigns.start_date = reporting_periods.calendar_date
    left join campaign_lead_counts
        on campaigns.campaign_id = campaign_lead_counts.campaign_id
    where
        campaign_lead_counts.campaign_id is null
        and reporting_periods.period_grain in {{ grains }}
),

attributed as (
    select * from costed_leads
    union all
    select * from costed_campaigns_without_leads
),

aggregated as (
    select
        attributed.period_grain,
        attributed.period_start,
        periods.period_end_date,
        periods.is_period_complete,
        attributed.lead_source,
        attributed.campaign_type,
        sum(attributed.leads) as leads,
        sum(attributed.quality_leads) as quality_leads,
        sum(attributed.campaign_cost) as campaign_cost,
        sum(attributed.opportunities) as opportunities,
        sum(attributed.won) as won,
        sum(attributed.won_amount) as won_amount
    from attributed
    inner join periods
        on
            attributed.period_grain = periods.period_grain
            and attributed.period_start = periods.period_start
    group by
        attributed.period_grain,
        attributed.period_start,
        periods.period_end_date,
        periods.is_period_complete,
        attributed.lead_source,
        attributed.campaign_type
)

select
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    period_start,
    period_end_date,
    is_period_complete,
    cast(lead_source as {{ dbt.type_string() }}) as lead_source,
    cast(campaign_type as {{ dbt.type_string() }}) as campaign_type,
    cast(leads as {{ dbt.type_bigint() }}) as leads,
    cast(quality_leads as {{ dbt.type_bigint() }}) as quality_leads,
    {{ safe_divide('quality_leads', 'leads') }} as quality_lead_rate,
    cast(campaign_cost as {{ type_double() }}) as campaign_cost,
    {{ safe_divide('cast(campaign_cost as ' ~ type_double() ~ ')', 'leads') }} as cost_per_lead,
    {{ safe_divide('cast(campaign_cost as ' ~ type_double() ~ ')', 'quality_leads') }} as cost_per_quality_lead,
    cast(opportunities as {{ dbt.type_bigint() }}) as opportunities,
    {{ safe_divide('opportunities', 'leads') }} as lead_to_opportunity_rate,
    cast(won as {{ dbt.type_bigint() }}) as won,
    {{ safe_divide('won', 'leads') }} as lead_to_won_rate,
    cast(won_amount as {{ type_double() }}) as won_amount
from aggregated
