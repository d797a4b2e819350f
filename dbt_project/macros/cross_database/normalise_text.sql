{#- Lower case, surrounding spaces removed, for matching free text against a mapping
    seed (call dispositions, event types, departments): apply it to both sides.
    Full-width spaces (U+3000, common in Japanese input) count as spaces. -#}
{% macro normalise_text(expression) -%}
    {{ return(adapter.dispatch('normalise_text', 'fukan')(expression)) }}
{%- endmacro %}

{% macro default__normalise_text(expression) -%}
    lower(trim({{ dbt.replace(expression, "'　'", "' '") }}))
{%- endmacro %}
