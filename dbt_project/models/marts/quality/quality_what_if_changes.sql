{#- Which leads would change class under the candidate quality definition.
    Grain: one row per current class and candidate class, with the number of leads and
    how many of them were won (a class change among won deals matters most). -#}
with

leads as (select * from {{ ref('fct_leads') }}),

candidate as (select * from {{ ref('int_leads_quality_candidate') }})

select
    leads.lead_quality as current_quality,
    candidate.lead_quality as candidate_quality,
    leads.lead_quality <> candidate.lead_quality as is_changing_class,
    count(*) as leads,
    sum(case when leads.reached_won then 1 else 0 end) as won
from leads
inner join candidate
    on leads.lead_id = candidate.lead_id
group by leads.lead_quality, candidate.lead_quality
