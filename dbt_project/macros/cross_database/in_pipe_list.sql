{#- True when the text of `expression` equals one of the items of `pipe_list`, a
    '|'-separated list such as 'Partner Referral|Seminar' (the `in`/`not_in` rules of
    seeds/quality_lead_rules.csv). Exact text: no trimming, no case folding, no
    wildcards. A value that itself contains '|' matches nothing. Null when either
    argument is null, like SQL `in`, so `not in_pipe_list(...)` is null too.
    Both arguments are SQL expressions. -#}
{% macro in_pipe_list(expression, pipe_list) -%}
    {{ return(adapter.dispatch('in_pipe_list', 'fukan')(expression, pipe_list)) }}
{%- endmacro %}

{% macro default__in_pipe_list(expression, pipe_list) -%}
    {%- set value = 'cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    (case
        when {{ value }} is null or {{ pipe_list }} is null then null
        when {{ dbt.position("'|'", value) }} > 0 then false
        else {{ dbt.position(dbt.concat(["'|'", value, "'|'"]), dbt.concat(["'|'", pipe_list, "'|'"])) }} > 0
    end)
{%- endmacro %}
