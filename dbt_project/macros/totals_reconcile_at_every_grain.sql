{#- The tail of a test that reconciles a KPI mart with its fact at every period grain:
    each measure summed over all periods of a grain equals the fact's total, per lead
    quality and for 'all' (the sum of the qualities). `mart` (a relation or CTE) has
    period_grain, lead_quality and the measure columns; `measures` maps a measure name
    to its mart column (or lists mart columns, each its own measure name); `fact_totals`
    (a CTE) holds lead_quality, measure, fact_total by quality, without 'all'. Writes the remaining CTEs and the final select, after the
    test's own `with ...,`: one failing row per grain, quality and measure whose totals
    differ by more than `tolerance` (a total missing on one side counts as 0). -#}
{% macro totals_reconcile_at_every_grain(mart, measures, fact_totals, tolerance=0.01) -%}
{%- if measures is not mapping -%}
    {%- set columns = measures -%}
    {%- set measures = {} -%}
    {%- for column in columns -%}
        {%- do measures.update({column: column}) -%}
    {%- endfor -%}
{%- endif -%}
mart_totals as (
    {%- for measure, column in measures.items() %}
    select
        period_grain,
        lead_quality,
        '{{ measure }}' as measure,
        cast(sum({{ column }}) as {{ type_double() }}) as mart_total
    from {{ mart }}
    group by period_grain, lead_quality
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}
),

fact_totals_with_all as (
    select
        lead_quality,
        measure,
        cast(fact_total as {{ type_double() }}) as fact_total
    from {{ fact_totals }}
    union all
    select
        'all' as lead_quality,
        measure,
        cast(sum(fact_total) as {{ type_double() }}) as fact_total
    from {{ fact_totals }}
    group by measure
),

-- The fact's totals stand at every grain: each event falls in one period per grain.
expected_totals as (
    select
        grains.period_grain,
        fact_totals_with_all.lead_quality,
        fact_totals_with_all.measure,
        fact_totals_with_all.fact_total
    from fact_totals_with_all
    cross join (select distinct period_grain from {{ mart }}) as grains
)

select
    coalesce(expected_totals.period_grain, mart_totals.period_grain) as period_grain,
    coalesce(expected_totals.lead_quality, mart_totals.lead_quality) as lead_quality,
    coalesce(expected_totals.measure, mart_totals.measure) as measure,
    expected_totals.fact_total,
    mart_totals.mart_total
from expected_totals
full outer join mart_totals
    on
        expected_totals.period_grain = mart_totals.period_grain
        and expected_totals.lead_quality = mart_totals.lead_quality
        and expected_totals.measure = mart_totals.measure
where abs(coalesce(mart_totals.mart_total, 0) - coalesce(expected_totals.fact_total, 0)) > {{ tolerance }}
{%- endmacro %}
