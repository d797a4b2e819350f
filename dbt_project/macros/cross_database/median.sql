{#- The median of a numeric expression as a double (the mean of the two middle values
    when the count is even), ignoring nulls; an aggregate. -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'fukan')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    cast(percentile_cont(0.5) within group (order by {{ expression }}) as {{ fukan.type_double() }})
{%- endmacro %}

{% macro spark__median(expression) -%}
    cast(percentile({{ expression }}, 0.5) as {{ fukan.type_double() }})
{%- endmacro %}
