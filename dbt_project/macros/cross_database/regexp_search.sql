{#- True when `pattern` (a regular expression) occurs anywhere in `expression`: a search,
    not a full match. Both arguments are SQL expressions (quote a literal pattern:
    "'部長|Director'"). Null when either is null. Case-sensitive; a pattern starting with
    (?i) ignores case on DuckDB (RE2), PostgreSQL (ARE) and Spark (Java). -#}
{% macro regexp_search(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_search', 'fukan')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regexp_search(expression, pattern) -%}
    regexp_like({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro duckdb__regexp_search(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}

{% macro postgres__regexp_search(expression, pattern) -%}
    ({{ expression }} ~ {{ pattern }})
{%- endmacro %}

{% macro spark__regexp_search(expression, pattern) -%}
    ({{ expression }} rlike {{ pattern }})
{%- endmacro %}
