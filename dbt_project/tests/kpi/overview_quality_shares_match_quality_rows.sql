{#- kpi_funnel_overview: the quality-lead rate's numerator quality_<count> equals the
    quality row's <count>, and its denominator all_<count> the all row's <count>, on all
    three rows of a period. Fails with the offending rows. -#}
{%- set counts = funnel_steps('count_column') %}
with

overview as (select * from {{ ref('kpi_funnel_overview') }}),

quality_rows as (
    select * from overview
    where lead_quality = 'quality'
),

all_rows as (
    select * from overview
    where lead_quality = 'all'
)

-- The offending rows with all the mart's columns.
select overview.*  -- noqa: AM04
from overview
inner join quality_rows
    on
        overview.basis = quality_rows.basis
        and overview.period_grain = quality_rows.period_grain
        and overview.period_start = quality_rows.period_start
inner join all_rows
    on
        overview.basis = all_rows.basis
        and overview.period_grain = all_rows.period_grain
        and overview.period_start = all_rows.period_start
where
    {%- for count in counts %}
        {{ 'or ' if not loop.first }}overview.quality_{{ count }} <> quality_rows.{{ count }}
        or overview.all_{{ count }} <> all_rows.{{ count }}
    {%- endfor %}
