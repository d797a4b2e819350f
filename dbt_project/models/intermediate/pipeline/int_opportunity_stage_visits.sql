{#- Each stay of an opportunity in one stage: consecutive history intervals in the same
    stage make one visit (an amount or close-date change is no stage move). Where it
    went next: a later open stage (advanced), an earlier one (regressed: moved back a
    stage), won, lost, or, from a closed stage, open again (reopened) or the other outcome
    (changed_outcome); null while it
    stays. Grain: one row per opportunity_id and visit_number.

    Incremental, as int_opportunity_history_intervals: a refresh rebuilds the
    opportunities macro changed_opportunities lists (the pre-hook deletes their rows),
    those with an interval later than every visit held, and those not held yet. -#}
{{ config(unique_key='opportunity_id', pre_hook="{{ delete_changed_opportunities() }}") }}
{#- Rendered on every build, so dbt sees the relations it reads when it parses the model. #}
{%- set changed = changed_opportunities() %}
with
{% if is_incremental() %}
affected as (
    {{ changed }}
    union
    select opportunity_id from {{ ref('int_opportunity_history_intervals') }}
    where valid_from > (select max(entered_at) from {{ this }})
    union
    select opportunity_id from {{ ref('int_opportunity_history_intervals') }}
    where opportunity_id not in (select opportunity_id from {{ this }})
),
{% endif %}
intervals as (
    select * from {{ ref('int_opportunity_history_intervals') }}
    {%- if is_incremental() %}
        where opportunity_id in (select opportunity_id from affected)
    {%- endif %}
),

stages as (select * from {{ ref('opportunity_stage_mapping') }}),

marked as (
    select
        *,
        case
            when lag(stage_name) over (partition by opportunity_id order by interval_number) = stage_name then 0
            else 1
        end as starts_visit
    from intervals
),

numbered as (
    select
        *,
        sum(starts_visit) over (
            partition by opportunity_id order by interval_number rows between unbounded preceding and current row
        ) as visit_number
    from marked
),

visits as (
    select
        opportunity_id,
        visit_number,
        min(stage_name) as stage_name,
        min(stage_order) as stage_order,
        min(case when is_open then 1 else 0 end) = 1 as is_open_stage,
        min(valid_from) as entered_at,
        min(valid_from_date) as entered_date
    from numbered
    group by opportunity_id, visit_number
),

followed as (
    select
        *,
        lead(stage_name) over (partition by opportunity_id order by visit_number) as next_stage_name,
        lead(stage_order) over (partition by opportunity_id order by visit_number) as next_stage_order,
        lead(entered_at) over (partition by opportunity_id order by visit_number) as left_at,
        lead(entered_date) over (partition by opportunity_id order by visit_number) as left_date
    from visits
),

next_stages as (
    select
        followed.*,
        stages.stage_category as next_stage_category,
        stages.is_closed as next_is_closed
    from followed
    left join stages
        on followed.next_stage_name = stages.stage_name
)

select
    opportunity_id,
    cast(visit_number as {{ dbt.type_bigint() }}) as visit_number,
    stage_name,
    stage_order,
    is_open_stage,
    entered_at,
    entered_date,
    left_at,
    left_date,
    next_stage_name,
    case
        when next_stage_name is null then null
        when not is_open_stage and not coalesce(next_is_closed, false) then 'reopened'
        when not is_open_stage then 'changed_outcome'
        when next_stage_category = 'won' then 'won'
        when next_stage_category = 'lost' then 'lost'
        when next_stage_order < stage_order then 'regressed'
        else 'advanced'
    end as exit_kind
from next_stages
