{#- The 8-byte floating-point type. dbt.type_float() is a 4-byte FLOAT on DuckDB, which
    loses precision on money and rates, so rates and amounts use this instead. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'fukan')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro duckdb__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
