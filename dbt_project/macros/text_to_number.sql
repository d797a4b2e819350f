{#- Text to a double, null when the text is not a plain number. Portable: dbt.safe_cast
    is a plain cast on DuckDB and Postgres, which fails on text like '部長'. -#}
{% macro text_to_number(expression) -%}
    {%- set trimmed = 'trim(' ~ expression ~ ')' -%}
    case
        when {{ regexp_search(trimmed, "'^-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?$'") }}
            then cast({{ trimmed }} as {{ type_double() }})
    end
{%- endmacro %}
