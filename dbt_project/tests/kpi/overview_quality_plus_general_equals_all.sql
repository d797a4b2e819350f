{#- kpi_funnel_overview: for every basis and period, the quality row plus the general row
    equals the all row, for every count and the won amount. Fails with the period and
    the first column that does not add up. -#}
{%- set columns = funnel_steps('count_column') + ['won_amount'] %}
with

overview as (select * from {{ ref('kpi_funnel_overview') }}),

by_period as (
    select
        basis,
        period_grain,
        period_start,
        count(*) as quality_rows,
    {%- for column in columns %}
        sum(case when lead_quality in ('quality', 'general') then {{ column }} else 0 end) as split_{{ column }},
        sum(case when lead_quality = 'all' then {{ column }} else 0 end) as all_{{ column }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from overview
    group by basis, period_grain, period_start
)

select *
from by_period
where
    quality_rows <> 3
    {%- for column in columns %}
        or abs(split_{{ column }} - all_{{ column }}) > {{ '0.01' if column == 'won_amount' else '0' }}
    {%- endfor %}
