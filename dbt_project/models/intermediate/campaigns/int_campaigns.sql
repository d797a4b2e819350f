{#- Live campaigns with their cost (actual, else budgeted) and the number of leads each
    brought in first (the lead's first campaign membership). -#}
with

campaigns as (
    select * from {{ ref('stg_crm__campaigns') }}
    where not is_deleted
),

leads as (select * from {{ ref('int_leads') }}),

first_touch_leads as (
    select
        campaign_id,
        count(*) as first_touch_leads
    from leads
    where campaign_id is not null
    group by campaign_id
)

select
    campaigns.campaign_id,
    campaigns.campaign_name,
    campaigns.campaign_type,
    campaigns.campaign_status,
    campaigns.start_date,
    campaigns.end_date,
    campaigns.parent_campaign_id,
    cast(campaigns.budgeted_cost as {{ type_double() }}) as budgeted_cost,
    cast(campaigns.actual_cost as {{ type_double() }}) as actual_cost,
    cast(coalesce(campaigns.actual_cost, campaigns.budgeted_cost, 0) as {{ type_double() }}) as cost,  -- noqa: RF04
    coalesce(first_touch_leads.first_touch_leads, 0) as first_touch_leads
from campaigns
left join first_touch_leads
    on campaigns.campaign_id = first_touch_leads.campaign_id
