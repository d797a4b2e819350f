{#- One row per live lead: who it is, where it came from, how good it is, and how far
    down the funnel it got by the as-of instant.

    Incremental: the leads int_lead_changes lists are deleted and built again. -#}
{{ config(incremental_strategy='append', pre_hook="{{ delete_lead_changes() }}") }}
{%- set steps = funnel_steps() %}
with

leads as (select * from {{ ref('int_leads') }}{{ lead_changes_filter('where') }}),

quality as (select * from {{ ref('int_leads_quality_scored') }}),

funnel as (select * from {{ ref('int_lead_funnel_steps') }}),

opportunities as (select * from {{ ref('int_opportunities') }}),

status_mapping as (select * from {{ ref('lead_status_mapping') }})

select
    leads.lead_id,
    leads.created_at,
    leads.created_date,
    leads.company_name,
    leads.lead_source,
    leads.campaign_id,
    leads.industry,
    leads.title,
    leads.number_of_employees,
    leads.country_code,
    leads.owner_user_id,
    leads.owner_department,
    leads.owner_team_name,
    leads.lead_status,
    {{ empty_as_null('status_mapping.funnel_step') }} as lead_status_step,
    coalesce(status_mapping.is_disqualified, false) as is_disqualified,
    leads.is_converted,
    leads.converted_opportunity_id,
    quality.lead_quality,
    quality.quality_score,
    quality.quality_reasons,
    quality.definition_version as quality_definition_version,
    {%- for step in steps %}
        funnel.reached_{{ step }},
        funnel.{{ step }}_at,
        {{ to_reporting_date('funnel.' ~ step ~ '_at') }} as {{ step }}_date,
    {%- endfor %}
    {%- for step in steps[1:] %}
        funnel.days_{{ steps[loop.index0] }}_to_{{ step }},
    {%- endfor %}
    case when funnel.reached_won then opportunities.amount end as won_amount
from leads
inner join quality
    on leads.lead_id = quality.lead_id
inner join funnel
    on leads.lead_id = funnel.lead_id
left join status_mapping
    on leads.lead_status = status_mapping.lead_status
left join opportunities
    on leads.converted_opportunity_id = opportunities.opportunity_id
