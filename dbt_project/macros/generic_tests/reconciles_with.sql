{#- Reconciliation: aggregates of this model equal aggregates of `compare_model`, per
    group. E.g. a mart's sum(leads) per period equals count(lead_id) of the fact.
      expression / compare_expression  what to aggregate on each side (the column under
                                       test by default; compare side defaults to this side)
      measures                         instead of expression / compare_expression: several
                                       reconciliations between the same two models and
                                       groups, in one test and one scan of each model:
                                       {name: {expression, compare_expression, tolerance}},
                                       each optional (expression defaults to the name)
      aggregate / compare_aggregate    sum (default), count or count_distinct
      group_by / compare_group_by      matching lists of grouping expressions (none: totals)
      compare_condition                a where clause on compare_model (filter this model
                                       with the test config `where:`)
      tolerance                        largest absolute difference accepted (default 0)
    A group present on one side only counts as 0 on the other. Fails with one row per
    group and measure whose totals differ, showing both totals and the difference. -#}
{% test reconciles_with(model, compare_model, expression=none, column_name=none,
                        compare_expression=none, measures=none, aggregate='sum',
                        compare_aggregate=none, group_by=none, compare_group_by=none,
                        compare_condition=none, tolerance=0) %}

{%- set compare_aggregate = compare_aggregate or aggregate -%}
{%- set group_by = group_by or [] -%}
{%- set compare_group_by = compare_group_by or group_by -%}
{%- if measures and (expression or compare_expression) -%}
    {{ exceptions.raise_compiler_error("reconciles_with: give `measures` or `expression`, not both") }}
{%- endif -%}
{%- if not measures -%}
    {%- set expression = expression or column_name -%}
    {%- if not expression -%}
        {{ exceptions.raise_compiler_error("reconciles_with: give `expression` or `measures`, or put the test on a column") }}
    {%- endif -%}
    {%- set measures = {expression: {'compare_expression': compare_expression}} -%}
{%- endif -%}
{%- if measures is not mapping -%}
    {{ exceptions.raise_compiler_error("reconciles_with: `measures` maps each name to {expression, compare_expression, tolerance}") }}
{%- endif -%}
{%- if group_by is string or compare_group_by is string or group_by | length != compare_group_by | length -%}
    {{ exceptions.raise_compiler_error("reconciles_with: `group_by` and `compare_group_by` must be lists of the same length") }}
{%- endif -%}
{%- set keys = [] -%}
{%- for item in group_by -%}
    {%- do keys.append(item if modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', item) else 'group_key_' ~ loop.index) -%}
{%- endfor -%}
{#- Two rows per measure, one from each side's totals: (totals, label, tolerance, model value, compare value). -#}
{%- set model_sides, compare_sides, rows = [], [], [] -%}
{%- for name, measure in measures.items() -%}
    {%- set spec = measure or {} -%}
    {%- set own = spec.get('expression') or name -%}
    {%- set column = 'measure_' ~ loop.index -%}
    {%- do model_sides.append(fukan._reconcile_aggregate(aggregate, own) ~ ' as ' ~ column) -%}
    {%- do compare_sides.append(fukan._reconcile_aggregate(compare_aggregate, spec.get('compare_expression') or own) ~ ' as ' ~ column) -%}
    {%- set label = "'" ~ (name | string | replace("'", "''")) ~ "'" -%}
    {%- set accepted = spec.get('tolerance', tolerance) -%}
    {%- do rows.append(('model_totals', label, accepted, column, 'null')) -%}
    {%- do rows.append(('compare_totals', label, accepted, 'null', column)) -%}
{%- endfor %}

with model_totals as (

    select
        {%- for item in group_by %}
        {{ item }} as {{ keys[loop.index0] }},
        {%- endfor %}
        {{ model_sides | join(', ') }}
    from {{ model }}
    {%- if group_by %}
    group by {{ group_by | join(', ') }}
    {%- endif %}

),

compare_totals as (

    select
        {%- for item in compare_group_by %}
        {{ item }} as {{ keys[loop.index0] }},
        {%- endfor %}
        {{ compare_sides | join(', ') }}
    from {{ compare_model }}
    {%- if compare_condition %}
    where {{ compare_condition }}
    {%- endif %}
    {%- if compare_group_by %}
    group by {{ compare_group_by | join(', ') }}
    {%- endif %}

),

both_sides as (
    {%- for totals, label, accepted, model_value, compare_value in rows %}

    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        {{ label }} as measure,
        cast({{ accepted }} as {{ dbt.type_numeric() }}) as tolerance,
        cast({{ model_value }} as {{ dbt.type_numeric() }}) as model_value,
        cast({{ compare_value }} as {{ dbt.type_numeric() }}) as compare_value
    from {{ totals }}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

reconciled as (

    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        measure,
        tolerance,
        coalesce(sum(model_value), 0) as model_value,
        coalesce(sum(compare_value), 0) as compare_value
    from both_sides
    group by {% for key in keys %}{{ key }}, {% endfor %}measure, tolerance

)

select
    {%- for key in keys %}
    {{ key }},
    {%- endfor %}
    measure,
    model_value,
    compare_value,
    model_value - compare_value as difference
from reconciled
where abs(model_value - compare_value) > tolerance

{% endtest %}

{% macro _reconcile_aggregate(aggregate, expression) -%}
    {%- if aggregate == 'sum' -%}
    sum({{ expression }})
    {%- elif aggregate == 'count' -%}
    count({{ expression }})
    {%- elif aggregate == 'count_distinct' -%}
    count(distinct {{ expression }})
    {%- else -%}
    {{ exceptions.raise_compiler_error("reconciles_with: aggregate must be sum, count or count_distinct, got " ~ aggregate) }}
    {%- endif -%}
{%- endmacro %}
