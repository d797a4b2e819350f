{#- md5 of the text of `expression` as 32 lower-case hex characters (surrogate keys,
    fingerprints of a definition). Null in, null out. -#}
{% macro hash_text(expression) -%}
    {{ return(adapter.dispatch('hash_text', 'fukan')(expression)) }}
{%- endmacro %}

{% macro default__hash_text(expression) -%}
    {{ dbt.hash(expression) }}
{%- endmacro %}
