{#- Schemas follow the layers (raw, staging, intermediate, marts, kpi, seeds) by their
    plain names, so a person browsing the warehouse sees the same structure as the
    folders. Without a custom schema a model lands in the target's schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
