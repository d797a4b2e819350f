{#- What this mart and each of its columns mean: _kpi_pipeline.yml, the one place its
    KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
with

periods as (select * from {{ ref('int_kpi_pipeline_periods') }}),

states as (select * from {{ ref('int_kpi_pipeline_states') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

targets as (
    select * from {{ ref('int_kpi_pacing_targets') }}
    where kpi = 'won_amount' and department = 'field_sales' and owner_key = '(department)'
),

forecast_points as (
    select
        period_grain,
        period_start,
        period_end_date,
        is_period_complete,
        'period_start' as forecast_point,
        period_start as forecast_date,
        period_start as read_date
    from periods
    where period_grain in ('month', 'fiscal_quarter', 'fiscal_half')

    union all

    select
        period_grain,
        period_start,
        period_end_date,
        is_period_complete,
        'as_of' as forecast_point,
        as_of_date as forecast_date,
        closing_read_date as read_date
    from periods
    where period_grain in ('month', 'fiscal_quarter', 'fiscal_half') and not is_period_complete
),

pipeline as (
    select
        forecast_points.period_grain,
        forecast_points.period_start,
        forecast_points.forecast_point,
        sum(case when states.is_won then states.amount else 0 end) as won_to_date_amount,
        sum(case when states.is_open then 1 else 0 end) as open_opportunities,
        sum(case when states.is_open then states.amount else 0 end) as open_amount,
        {%- for column in ['commit', 'best_case', 'pipeline'] %}
            sum(case when states.is_open and states.forecast_column = '{{ column }}' then states.amount else 0 end)
                as {{ column }}_amount,
        {%- endfor %}
        {{ exact_sum('case when states.is_open then states.amount * coalesce(states.win_probability, 0) else 0 end') }}
            as weighted_open_amount
    from forecast_points
    inner join states
        on
            forecast_points.read_date = states.read_date
            and states.close_date between forecast_points.period_start and forecast_points.period_end_date
    group by forecast_points.period_grain, forecast_points.period_start, forecast_points.forecast_point
),

actuals as (
    select
        periods.period_grain,
        periods.period_start,
        sum(opportunities.amount) as won_amount
    from periods
    inner join opportunities
        on
            opportunities.is_won
            and opportunities.close_date between periods.period_start and periods.period_end_date
    group by periods.period_grain, periods.period_start
),

forecasts as (
    select
        forecast_points.*,
        coalesce(pipeline.won_to_date_amount, 0) as won_to_date_amount,
        coalesce(pipeline.open_opportunities, 0) as open_opportunities,
        coalesce(pipeline.open_amount, 0) as open_amount,
        coalesce(pipeline.commit_amount, 0) as commit_amount,
        coalesce(pipeline.best_case_amount, 0) as best_case_amount,
        coalesce(pipeline.pipeline_amount, 0) as pipeline_amount,
        coalesce(pipeline.weighted_open_amount, 0) as weighted_open_amount,
        targets.target_value as target_amount,
        case when forecast_points.is_period_complete then coalesce(actuals.won_amount, 0) end as actual_won_amount
    from forecast_points
    left join pipeline
        on
            forecast_points.period_grain = pipeline.period_grain
            and forecast_points.period_start = pipeline.period_start
            and forecast_points.forecast_point = pipeline.forecast_point
    left join targets
        on
            forecast_points.period_grain = targets.period_grain
            and forecast_points.period_start = targets.period_start
    left join actuals
        on
            forecast_points.period_grain = actuals.period_grain
            and forecast_points.period_start = actuals.period_start
),

measured as (
    select
        forecasts.*,
        forecasts.won_to_date_amount + forecasts.weighted_open_amount as forecast_amount,
        case
            when forecasts.target_amount is not null
                then greatest(forecasts.target_amount - forecasts.won_to_date_amount, 0)
        end as remaining_target_amount
    from forecasts
)

select
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    period_start,
    period_end_date,
    is_period_complete,
    cast(forecast_point as {{ dbt.type_string() }}) as forecast_point,
    cast(forecast_date as date) as forecast_date,
    cast(won_to_date_amount as {{ type_double() }}) as won_to_date_amount,
    cast(open_opportunities as {{ dbt.type_bigint() }}) as open_opportunities,
    cast(open_amount as {{ type_double() }}) as open_amount,
    cast(commit_amount as {{ type_double() }}) as commit_amount,
    cast(best_case_amount as {{ type_double() }}) as best_case_amount,
    cast(pipeline_amount as {{ type_double() }}) as pipeline_amount,
    cast(weighted_open_amount as {{ type_double() }}) as weighted_open_amount,
    cast(forecast_amount as {{ type_double() }}) as forecast_amount,
    cast(won_to_date_amount + commit_amount as {{ type_double() }}) as commit_forecast_amount,
    cast(won_to_date_amount + commit_amount + best_case_amount as {{ type_double() }}) as best_case_forecast_amount,
    cast(target_amount as {{ type_double() }}) as target_amount,
    cast(remaining_target_amount as {{ type_double() }}) as remaining_target_amount,
    cast({{ safe_divide('open_amount', 'remaining_target_amount') }} as {{ type_double() }}) as coverage_ratio,
    cast(actual_won_amount as {{ type_double() }}) as actual_won_amount,
    cast(forecast_amount - actual_won_amount as {{ type_double() }}) as forecast_error_amount,
    cast(
        1 - {{ safe_divide('abs(forecast_amount - actual_won_amount)', 'actual_won_amount') }}
        as {{ type_double() }}
    ) as forecast_accuracy
from measured
