{#- What-if for a candidate quality definition, on the same leads as the current one.
    Grain: one row per definition (current, candidate) and lead quality class: how many
    leads fall in the class, the quality-lead rate, and how those leads converted
    downstream (hand-off, opportunity, won) - so a team sees what adopting the candidate
    would do to every number before it adopts it. -#}
with

leads as (select * from {{ ref('fct_leads') }}),

candidate as (select * from {{ ref('int_leads_quality_candidate') }}),

classified as (
    select
        'current' as definition_name,
        leads.quality_definition_version as definition_version,
        leads.lead_quality,
        leads.reached_handed_off,
        leads.reached_opportunity,
        leads.reached_won
    from leads
    union all
    select
        'candidate' as definition_name,
        candidate.definition_version,
        candidate.lead_quality,
        leads.reached_handed_off,
        leads.reached_opportunity,
        leads.reached_won
    from leads
    inner join candidate
        on leads.lead_id = candidate.lead_id
),

per_class as (
    select
        definition_name,
        definition_version,
        lead_quality,
        count(*) as leads,
        sum(case when reached_handed_off then 1 else 0 end) as handed_off,
        sum(case when reached_opportunity then 1 else 0 end) as opportunities,
        sum(case when reached_won then 1 else 0 end) as won
    from classified
    group by definition_name, definition_version, lead_quality
),

with_totals as (
    select
        per_class.*,
        sum(per_class.leads) over (partition by per_class.definition_name) as all_leads
    from per_class
)

select
    definition_name,
    definition_version,
    lead_quality,
    leads,
    all_leads,
    {{ safe_divide('leads', 'all_leads') }} as share_of_leads,
    handed_off,
    {{ safe_divide('handed_off', 'leads') }} as hand_off_rate,
    opportunities,
    {{ safe_divide('opportunities', 'leads') }} as opportunity_rate,
    won,
    {{ safe_divide('won', 'leads') }} as win_rate
from with_totals
