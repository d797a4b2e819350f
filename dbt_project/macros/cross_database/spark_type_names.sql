{#- dbt's own cast on Spark, which has no `double precision` and no `varchar` without a
    length. The contracts declare those portable names (DuckDB and PostgreSQL know them)
    and dbt checks a contract by casting null to each declared data_type, so on Spark
    the names become `double` and `string`. Found first through the `dispatch` setting
    of dbt_project.yml; on the other engines dbt's own cast runs. -#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ fukan.spark_type_name(type) }})
{%- endmacro %}

{% macro spark_type_name(type) -%}
    {%- set spark_names = {'double precision': 'double', 'varchar': 'string'} -%}
    {{ return(spark_names.get(type | trim | lower, type)) }}
{%- endmacro %}
