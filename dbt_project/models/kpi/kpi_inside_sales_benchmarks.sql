{#- What this mart and each of its columns mean: _kpi_inside_sales_benchmarks.yml, the one place
    its KPI prose lives (docs/kpi-definitions.md and dbt docs show it). -#}
{{ config(alias='kpi_benchmarks') }}
{%- set kpis = inside_sales_rates() %}
{#- Lagged KPIs: mature only once the window of the period's last case has closed. -#}
{%- set windows = {'opportunity_rate_after_meeting': 'is_meeting_window_closed'} %}
with

team_periods as (
    select * from {{ ref('int_kpi_inside_sales_team_periods') }}
    where period_grain = 'month'
),

benchmarks as (select * from {{ ref('kpi_benchmarks') }}),

team_kpis as (
    {%- for kpi, (numerator, denominator) in kpis.items() %}
        select
            period_start,
            period_end_date,
            is_period_complete,
            team_id,
            team_name,
            '{{ kpi }}' as kpi,
            cast({{ numerator }} as {{ type_double() }}) as numerator,
            cast({{ denominator }} as {{ type_double() }}) as denominator,
            cast({{ kpi }} as {{ type_double() }}) as kpi_value,
            {{ immature_reason('is_period_complete', denominator, windows.get(kpi)) }} as immature_reason
        from team_periods
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

compared as (
    select
        team_kpis.*,
        benchmarks.kpi_label_en,
        benchmarks.kpi_label_ja,
        benchmarks.unit,
        benchmarks.direction,
        cast(benchmarks.lower_bound as {{ type_double() }}) as lower_bound,
        cast(benchmarks.upper_bound as {{ type_double() }}) as upper_bound,
        case
            when team_kpis.immature_reason is not null then 'immature'
            when team_kpis.kpi_value is null then null
            when team_kpis.kpi_value < benchmarks.lower_bound then 'below'
            when team_kpis.kpi_value > benchmarks.upper_bound then 'above'
            else 'within'
        end as status
    from team_kpis
    inner join benchmarks
        on team_kpis.kpi = benchmarks.kpi
)

select
    'month' as period_grain,
    period_start,
    period_end_date,
    is_period_complete,
    team_id,
    team_name,
    kpi,
    kpi_label_en,
    kpi_label_ja,
    unit,
    direction,
    numerator,
    denominator,
    kpi_value,
    lower_bound,
    upper_bound,
    status,
    immature_reason,
    case
        when status is null then null
        when status = 'immature' then false
        when direction = 'higher_is_better' then status = 'below'
        when direction = 'lower_is_better' then status = 'above'
        else status <> 'within'
    end as is_unfavourable
from compared
