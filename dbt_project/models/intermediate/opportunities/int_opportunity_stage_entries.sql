{#- When each opportunity first entered each stage category (before_proposal, proposal,
    after_proposal, won, lost). Evidence comes from opportunity_history (the stage
    entered at the history row's created_at) and from the current stage (at the
    version timestamp, for opportunities without history or with gaps in it). Won is
    dated at close_date. -#}
with

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
    where not is_deleted
),

history as (
    select * from {{ ref('stg_crm__opportunity_history') }}
    where not is_deleted
),

stages as (select * from {{ ref('opportunity_stage_mapping') }}),

history_evidence as (
    select
        history.opportunity_id,
        stages.stage_category,
        history.created_at as entered_at,
        'history' as evidence_source
    from history
    inner join opportunities
        on history.opportunity_id = opportunities.opportunity_id
    inner join stages
        on history.stage_name = stages.stage_name
),

current_stage_evidence as (
    select
        opportunities.opportunity_id,
        stages.stage_category,
        case
            when stages.stage_category = 'won' and opportunities.close_date is not null
                then cast(opportunities.close_date as {{ dbt.type_timestamp() }})
            else opportunities.modified_at
        end as entered_at,
        'current_stage' as evidence_source
    from opportunities
    inner join stages
        on opportunities.stage_name = stages.stage_name
),

evidence as (
    select * from history_evidence
    union all
    select * from current_stage_evidence
),

first_entries as (
    select
        opportunity_id,
        stage_category,
        entered_at,
        evidence_source,
        row_number() over (
            partition by opportunity_id, stage_category
            order by entered_at, evidence_source
        ) as entry_rank
    from evidence
)

select
    opportunity_id,
    stage_category,
    entered_at,
    evidence_source
from first_entries
where entry_rank = 1
