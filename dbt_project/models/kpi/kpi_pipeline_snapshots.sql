{#- What this mart and each of its columns mean: _kpi_pipeline.yml, the one place its
    KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
with

periods as (select * from {{ ref('int_kpi_pipeline_periods') }}),

states as (select * from {{ ref('int_kpi_pipeline_states') }}),

users as (select * from {{ ref('int_users_department_history') }}),

quality_definition as (
    {{ quality_definition_version(ref('quality_lead_rules'), var('quality_lead_min_points')) }}
),

snapshot_points as (
    select distinct
        period_grain as snapshot_kind,
        period_start as snapshot_date,
        period_start as read_date
    from periods
    where period_grain in ('week', 'month', 'fiscal_quarter', 'fiscal_half')

    union all

    select distinct
        'as_of' as snapshot_kind,
        as_of_date as snapshot_date,
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as date) as read_date
    from periods
),

open_pipeline as (
    select
        snapshot_points.snapshot_kind,
        snapshot_points.snapshot_date,
        states.stage_name,
        states.stage_order,
        states.forecast_category,
        states.forecast_column,
        states.owner_user_id,
        coalesce(users.department, 'unassigned') as owner_department,
        coalesce(users.team_name, 'unassigned') as owner_team_name,
        states.lead_quality,
        count(*) as open_opportunities,
        sum(states.amount) as open_amount,
        {{ exact_sum('states.amount * coalesce(states.win_probability, 0)') }} as weighted_open_amount
    from snapshot_points
    inner join states
        on snapshot_points.read_date = states.read_date
    left join users
        on {{ user_period_on('users', 'states.owner_user_id', 'snapshot_points.snapshot_date') }}
    where states.is_open
    group by
        snapshot_points.snapshot_kind,
        snapshot_points.snapshot_date,
        states.stage_name,
        states.stage_order,
        states.forecast_category,
        states.forecast_column,
        states.owner_user_id,
        coalesce(users.department, 'unassigned'),
        coalesce(users.team_name, 'unassigned'),
        states.lead_quality
)

select
    cast(open_pipeline.snapshot_kind as {{ dbt.type_string() }}) as snapshot_kind,
    cast(open_pipeline.snapshot_date as date) as snapshot_date,
    cast(open_pipeline.stage_name as {{ dbt.type_string() }}) as stage_name,
    cast(open_pipeline.stage_order as {{ dbt.type_int() }}) as stage_order,
    cast(coalesce(open_pipeline.forecast_category, '(none)') as {{ dbt.type_string() }}) as forecast_category,
    cast(open_pipeline.forecast_column as {{ dbt.type_string() }}) as forecast_column,
    cast(open_pipeline.owner_user_id as {{ dbt.type_string() }}) as owner_user_id,
    cast(open_pipeline.owner_department as {{ dbt.type_string() }}) as owner_department,
    cast(open_pipeline.owner_team_name as {{ dbt.type_string() }}) as owner_team_name,
    cast(open_pipeline.lead_quality as {{ dbt.type_string() }}) as lead_quality,
    cast(open_pipeline.open_opportunities as {{ dbt.type_bigint() }}) as open_opportunities,
    cast(open_pipeline.open_amount as {{ type_double() }}) as open_amount,
    cast(open_pipeline.weighted_open_amount as {{ type_double() }}) as weighted_open_amount,
    cast(quality_definition.definition_version as {{ dbt.type_string() }}) as quality_definition_version,
    cast({{ var('kpi_definition_version') }} as {{ dbt.type_int() }}) as kpi_definition_version
from open_pipeline
cross join quality_definition
