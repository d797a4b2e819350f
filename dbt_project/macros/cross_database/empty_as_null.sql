{#- Null for a missing text value: null or '' and, on Spark, the text 'None', which
    dbt-spark's session connection writes for an empty seed cell instead of null
    (dbt-labs/dbt-adapters#487). Use it on the nullable text columns of seeds
    (lead_status_mapping.funnel_step, kpi_targets.owner_id, ...). -#}
{% macro empty_as_null(expression) -%}
    {{ return(adapter.dispatch('empty_as_null', 'fukan')(expression)) }}
{%- endmacro %}

{% macro default__empty_as_null(expression) -%}
    nullif({{ expression }}, '')
{%- endmacro %}

{% macro spark__empty_as_null(expression) -%}
    nullif(nullif({{ expression }}, ''), 'None')
{%- endmacro %}
