{#- Aggregate: the value of `expression` on the row with the least `order_by`, a list of
    SQL expressions compared in turn (a tie on one is broken by the next). A null value
    on that row is returned, not skipped. Give orderings that are never null and leave no
    tie: engines place nulls and pick among equal rows differently. -#}
{% macro min_by(expression, order_by) -%}
    {{ return(adapter.dispatch('min_by', 'fukan')(expression, order_by)) }}
{%- endmacro %}

{% macro default__min_by(expression, order_by) -%}
    (array_agg({{ expression }} order by {{ order_by | join(', ') }}))[1]
{%- endmacro %}

{#- arg_min would skip a row whose value is null. The ordering as one binary sort key
    makes the aggregate about a quarter cheaper than a row value (1M-lead benchmark). -#}
{% macro duckdb__min_by(expression, order_by) -%}
    arg_min_null({{ expression }}, create_sort_key(
        {%- for item in order_by %}{{ item }}, 'asc nulls last'{{ ', ' if not loop.last }}{% endfor -%}
    ))
{%- endmacro %}

{% macro spark__min_by(expression, order_by) -%}
    min_by({{ expression }}, struct({{ order_by | join(', ') }}))
{%- endmacro %}
