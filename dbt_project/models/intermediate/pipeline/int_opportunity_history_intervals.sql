{#- Every live opportunity's tracked state (stage, amount, close date, CRM probability,
    forecast category) as validity intervals [valid_from, valid_to), rebuilt from
    opportunity_history and from every version of the opportunity the extracts carried.
    At one instant a version wins over a history row (it holds every field). A state
    equal to the one before it starts no interval. The first interval starts when the
    opportunity was created: the earliest known state stands for the time before it.
    Changes after the as-of instant are left out; the last interval is open (valid_to
    null). Dates are reporting-time-zone days.

    Incremental: a refresh rebuilds the opportunities macro changed_opportunities lists
    (their record or history landed again; the pre-hook deletes their rows, deleted
    opportunities' among them) and those created or changed later than every interval
    held (the as-of instant may have reached it). -#}
{{ config(unique_key='opportunity_id', pre_hook="{{ delete_changed_opportunities() }}") }}
{#- Rendered on every build, so dbt sees the relations it reads when it parses the model. #}
{%- set changed = changed_opportunities() %}
with
{% if is_incremental() %}
held as (
    select coalesce(max(valid_from), cast('1900-01-01' as {{ dbt.type_timestamp() }})) as held_through
    from {{ this }}
),

affected as (
    {{ changed }}
    union
    select opportunity_id from {{ ref('stg_crm__opportunities') }}
    where created_at > (select held_through from held)
    union
    select opportunity_id from {{ ref('stg_crm__opportunity_versions') }}
    where versioned_at > (select held_through from held)
    union
    select opportunity_id from {{ ref('stg_crm__opportunity_history') }}
    where created_at > (select held_through from held)
),
{% endif %}
opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
    where not is_deleted
    {%- if is_incremental() %}
        and opportunity_id in (select opportunity_id from affected)
    {%- endif %}
),

history as (
    select * from {{ ref('stg_crm__opportunity_history') }}
    where not is_deleted
    {%- if is_incremental() %}
        and opportunity_id in (select opportunity_id from affected)
    {%- endif %}
),

versions as (
    select * from {{ ref('stg_crm__opportunity_versions') }}
    where not is_deleted
    {%- if is_incremental() %}
        and opportunity_id in (select opportunity_id from affected)
    {%- endif %}
),

stages as (select * from {{ ref('opportunity_stage_mapping') }}),

categories as (select * from {{ ref('forecast_category_mapping') }}),

as_of as (select * from {{ ref('int_as_of') }}),

evidence as (
    select
        opportunity_id,
        created_at as changed_at,
        stage_name,
        cast(amount as {{ type_double() }}) as amount,
        close_date,
        cast(probability as {{ type_double() }}) as probability,
        forecast_category,
        'history' as evidence_source,
        2 as evidence_priority
    from history

    union all

    select
        opportunity_id,
        versioned_at as changed_at,
        stage_name,
        amount,
        close_date,
        probability,
        forecast_category,
        'opportunity_version' as evidence_source,
        1 as evidence_priority
    from versions
),

ranked as (
    select
        evidence.*,
        opportunities.created_at as opportunity_created_at,
        row_number() over (
            partition by evidence.opportunity_id, evidence.changed_at
            order by evidence.evidence_priority
        ) as instant_rank
    from evidence
    inner join opportunities
        on evidence.opportunity_id = opportunities.opportunity_id
    cross join as_of
    where
        evidence.changed_at <= as_of.as_of_at
        and opportunities.created_at <= as_of.as_of_at
),

compared as (
    select
        *,
        lag(stage_name) over (partition by opportunity_id order by changed_at) as previous_stage_name,
        lag(amount) over (partition by opportunity_id order by changed_at) as previous_amount,
        lag(close_date) over (partition by opportunity_id order by changed_at) as previous_close_date,
        lag(probability) over (partition by opportunity_id order by changed_at) as previous_probability,
        lag(forecast_category) over (partition by opportunity_id order by changed_at) as previous_forecast_category,
        row_number() over (partition by opportunity_id order by changed_at) as state_number
    from ranked
    where instant_rank = 1
),

changes as (
    select * from compared
    where
        state_number = 1
        or stage_name <> previous_stage_name
        or coalesce(amount, -1) <> coalesce(previous_amount, -1)
        or coalesce(close_date, cast('1900-01-01' as date)) <> coalesce(previous_close_date, cast('1900-01-01' as date))
        or coalesce(probability, -1) <> coalesce(previous_probability, -1)
        or coalesce(forecast_category, '') <> coalesce(previous_forecast_category, '')
),

intervals as (
    select
        opportunity_id,
        row_number() over (partition by opportunity_id order by changed_at) as interval_number,
        case
            when state_number = 1 then least(changed_at, opportunity_created_at) else changed_at
        end as valid_from,
        lead(changed_at) over (partition by opportunity_id order by changed_at) as valid_to,
        stage_name,
        amount,
        close_date,
        probability,
        forecast_category,
        evidence_source
    from changes
)

select
    intervals.opportunity_id,
    cast(intervals.interval_number as {{ dbt.type_bigint() }}) as interval_number,
    intervals.valid_from,
    intervals.valid_to,
    {{ to_reporting_date('intervals.valid_from') }} as valid_from_date,
    {{ to_reporting_date('intervals.valid_to') }} as valid_to_date,
    intervals.stage_name,
    stages.stage_order,
    stages.stage_category,
    not coalesce(stages.is_closed, false) as is_open,
    coalesce(stages.is_won, false) as is_won,
    coalesce(stages.stage_category = 'lost', false) as is_lost,
    intervals.amount,
    intervals.close_date,
    intervals.probability,
    intervals.forecast_category,
    coalesce(categories.forecast_column, 'unmapped') as forecast_column,
    cast(
        {{ fukan.win_probability('stages.win_probability', 'categories.win_probability') }}
        as {{ type_double() }}
    ) as win_probability,
    intervals.evidence_source
from intervals
left join stages
    on intervals.stage_name = stages.stage_name
left join categories
    on intervals.forecast_category = categories.forecast_category
