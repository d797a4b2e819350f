{#- numerator / denominator as a double; null (never 0, never an error) when the
    denominator is 0 or null. Both arguments are SQL expressions. -#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide', 'fukan')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ fukan.type_double() }})
        / nullif(cast({{ denominator }} as {{ fukan.type_double() }}), 0))
{%- endmacro %}
