{#- The funnel steps in order, read from the seed funnel_steps (seeds/funnel_steps.csv,
    the one list of steps: SQL, tests, the report and the docs all read it): one value
    per step of `attribute`, a column of the seed (`funnel_step` by default,
    `count_column`, `department`, ...). Read when dbt compiles a model, so a model that
    lists the steps depends on the seed (ref below) and builds after it; while dbt only
    parses, the list is empty. -#}
{% macro funnel_steps(attribute='funnel_step') -%}
    {%- set seed = ref('funnel_steps') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {#- The seed's own table, not `seed`: in a dbt unit test `ref` names the test's
        fixture, and `graph` is empty (there the seed is in the schema dbt_project.yml gives seeds). -#}
    {%- set node = (graph.get('nodes') or {}).get('seed.fukan.funnel_steps')
        or {'database': target.database, 'schema': generate_schema_name('seeds', none), 'alias': 'funnel_steps'} -%}
    {%- set table = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- if table is none -%}
        {{ exceptions.raise_compiler_error("funnel_steps: the seed funnel_steps is not in the warehouse yet; run `dbt seed` or `dbt build`") }}
    {%- endif -%}
    {%- set steps = run_query('select ' ~ attribute ~ ' from ' ~ table ~ ' order by step_number') -%}
    {{ return(steps.columns[0].values() | list) }}
{%- endmacro %}


{#- The count column of each funnel step in the KPI marts, by step: {'lead': 'leads', ...}. -#}
{% macro funnel_step_count_columns() -%}
    {%- set count_of = {} -%}
    {%- for step, column in zip(funnel_steps(), funnel_steps('count_column')) -%}
        {%- do count_of.update({step: column}) -%}
    {%- endfor -%}
    {{ return(count_of) }}
{%- endmacro %}
