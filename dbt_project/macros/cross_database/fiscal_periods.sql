{#- Fiscal periods of a date, for a fiscal year starting on the first day of month
    `start_month` (default var('fiscal_year_start_month'), 4 = April). A fiscal year is
    named by the calendar year it starts in (Japanese 年度: April 2024 - March 2025 is
    fiscal year 2024). `date_expression` is a SQL expression of type date. Plain
    arithmetic and dbt cross-database macros only, so no dialect variants are needed. -#}

{#- Fiscal year as an integer. -#}
{% macro fiscal_year(date_expression, start_month=none) -%}
    {%- set m = fukan.fiscal_year_start_month(start_month) -%}
    {%- if m == 1 -%}
    cast(extract(year from {{ date_expression }}) as {{ dbt.type_int() }})
    {%- else -%}
    cast(extract(year from {{ date_expression }})
        - case when extract(month from {{ date_expression }}) < {{ m }} then 1 else 0 end
        as {{ dbt.type_int() }})
    {%- endif -%}
{%- endmacro %}

{#- Fiscal quarter number, 1 to 4. -#}
{% macro fiscal_quarter(date_expression, start_month=none) -%}
    {%- set m = fukan.fiscal_year_start_month(start_month) -%}
    cast(floor(mod(cast(extract(month from {{ date_expression }}) as {{ dbt.type_int() }}) + {{ 12 - m }}, 12) / 3.0) + 1
        as {{ dbt.type_int() }})
{%- endmacro %}

{#- Fiscal half-year number: 1 (上期, quarters 1-2) or 2 (下期, quarters 3-4). -#}
{% macro fiscal_half(date_expression, start_month=none) -%}
    case when {{ fukan.fiscal_quarter(date_expression, start_month) }} >= 3 then 2 else 1 end
{%- endmacro %}

{#- First day of the fiscal year, as a date. -#}
{% macro fiscal_year_start(date_expression, start_month=none) -%}
    {{ fukan._fiscal_period_start('year', date_expression, start_month) }}
{%- endmacro %}

{#- First day of the fiscal quarter, as a date (the period_start of fiscal_quarter rows). -#}
{% macro fiscal_quarter_start(date_expression, start_month=none) -%}
    {{ fukan._fiscal_period_start('quarter', date_expression, start_month) }}
{%- endmacro %}

{#- First day of the fiscal half-year, as a date (the period_start of fiscal_half rows). -#}
{% macro fiscal_half_start(date_expression, start_month=none) -%}
    case
        when {{ fukan.fiscal_half(date_expression, start_month) }} = 2
            then cast({{ dbt.dateadd('month', 6, fukan.fiscal_year_start(date_expression, start_month)) }} as date)
        else {{ fukan.fiscal_year_start(date_expression, start_month) }}
    end
{%- endmacro %}

{#- Shift the date back so the fiscal year starts in January, truncate, shift forward. -#}
{% macro _fiscal_period_start(datepart, date_expression, start_month) -%}
    {%- set shift = fukan.fiscal_year_start_month(start_month) - 1 -%}
    {%- if shift == 0 -%}
    cast({{ dbt.date_trunc(datepart, date_expression) }} as date)
    {%- else -%}
    cast({{ dbt.dateadd('month', shift, dbt.date_trunc(datepart, dbt.dateadd('month', -shift, date_expression))) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- The start month to use: the argument, else the var; must be 1..12. -#}
{% macro fiscal_year_start_month(start_month=none) -%}
    {%- set raw = start_month if start_month is not none else var('fiscal_year_start_month', 4) -%}
    {%- set m = raw | int(0) -%}
    {%- if m < 1 or m > 12 or (raw | string | trim) != (m | string) -%}
        {{ exceptions.raise_compiler_error(
            "fiscal_year_start_month must be a month number 1-12, got " ~ (raw | string)) }}
    {%- endif -%}
    {{ return(m) }}
{%- endmacro %}
