{#- The earliest of several nullable timestamps, ignoring nulls; null when all are null.
    Portable: LEAST skips nulls on DuckDB and Postgres but returns null on Snowflake
    and BigQuery, so nulls are replaced by a far-future sentinel and mapped back. One
    expression is returned as it is (Spark's LEAST needs two arguments or more). -#}
{% macro earliest(expressions) -%}
    {%- if expressions | length == 1 -%}
    {{ return(expressions[0]) }}
    {%- endif -%}
    {%- set sentinel = "cast('9999-12-31 00:00:00' as " ~ dbt.type_timestamp() ~ ")" -%}
    nullif(
        least(
            {%- for expression in expressions %}
            coalesce({{ expression }}, {{ sentinel }}){{ ',' if not loop.last }}
            {%- endfor %}
        ),
        {{ sentinel }}
    )
{%- endmacro %}
