{#- One row per live opportunity: stage dates (from history, falling back to the current
    stage), proposal date, outcome, amount in JPY, cycle days, and the originating lead
    with its quality. Opportunities that come from no lead count here and in field-sales
    KPIs, but in no lead's funnel: they are marked `origin = 'not_lead_sourced'`. -#}
with

opportunities as (select * from {{ ref('int_opportunities') }}),

stage_entries as (select * from {{ ref('int_opportunity_stage_entries') }}),

quality as (select * from {{ ref('int_leads_quality_scored') }}),

as_of as (select * from {{ ref('int_as_of') }}),

entries as (
    select
        opportunity_id,
        min(case when stage_category in ('proposal', 'after_proposal', 'won') then entered_at end) as proposal_at,
        min(case when stage_category = 'after_proposal' then entered_at end) as after_proposal_at,
        min(case when stage_category = 'lost' then entered_at end) as lost_at,
        max(case when evidence_source = 'history' then 1 else 0 end) = 1 as has_stage_history
    from stage_entries
    group by opportunity_id
)

select
    opportunities.opportunity_id,
    opportunities.account_id,
    opportunities.owner_user_id,
    opportunities.owner_department,
    opportunities.owner_team_name,
    case when opportunities.lead_id is null then 'not_lead_sourced' else 'lead' end as origin,
    opportunities.lead_id,
    quality.lead_quality,
    opportunities.campaign_id,
    opportunities.opportunity_type,
    opportunities.lead_source,
    opportunities.stage_name,
    opportunities.stage_order,
    opportunities.stage_category,
    coalesce(entries.has_stage_history, false) as has_stage_history,
    opportunities.created_at,
    opportunities.created_date,
    entries.proposal_at,
    {{ to_reporting_date('entries.proposal_at') }} as proposal_date,
    entries.proposal_at is not null as has_proposal,
    entries.after_proposal_at,
    opportunities.is_closed,
    opportunities.is_won,
    opportunities.is_lost,
    case when opportunities.is_closed then opportunities.close_date end as closed_date,
    opportunities.close_date,
    opportunities.amount,
    case when opportunities.is_won then opportunities.amount end as won_amount,
    opportunities.currency_iso_code,
    {#- A deal entered in the CRM after it closed (its close date before its creation
        date) took no time, not negative time. #}
    case
        when opportunities.is_closed
            then greatest(
                cast(
                    {{ dbt.datediff('opportunities.created_date', 'opportunities.close_date', 'day') }}
                    as {{ dbt.type_bigint() }}
                ),
                0
            )
    end as cycle_days
from opportunities
cross join as_of
left join entries
    on opportunities.opportunity_id = entries.opportunity_id
left join quality
    on opportunities.lead_id = quality.lead_id
where opportunities.created_at <= as_of.as_of_at
