{#- One row per lead and funnel step it reached: the activity basis of the overview
    (step events that happened in a period), with the lead's quality and attribution.

    Incremental: the leads int_lead_changes lists are deleted and built again. -#}
{{ config(incremental_strategy='append', pre_hook="{{ delete_lead_changes() }}") }}
{%- set steps = funnel_steps() %}
with

leads as (select * from {{ ref('fct_leads') }}{{ lead_changes_filter('where') }}),

steps as (select * from {{ ref('funnel_steps') }}),

events as (
    {%- for step in steps %}
        select
            lead_id,
            '{{ step }}' as funnel_step,
            {{ step }}_at as step_at,
            {{ step }}_date as step_date
        from leads
        where reached_{{ step }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select
    events.lead_id,
    events.funnel_step,
    steps.step_number,
    steps.department,
    events.step_at,
    events.step_date,
    leads.lead_quality,
    leads.lead_source,
    leads.campaign_id,
    leads.owner_user_id,
    case when events.funnel_step = 'won' then leads.won_amount end as won_amount
from events
inner join leads
    on events.lead_id = leads.lead_id
inner join steps
    on events.funnel_step = steps.funnel_step
