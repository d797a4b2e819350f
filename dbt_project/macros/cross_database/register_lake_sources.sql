{#- on-run-start: make every dbt source readable before anything is built. DuckDB and
    PostgreSQL hold the sources as tables the ingestion writes: nothing to do. On Spark
    they are folders of the Parquet lake `fukan ingest --target spark` writes
    (orchestration/ingest/parquet_writer.py): `<lake>/<schema>/<table>`, the lake being
    FUKAN_SPARK_DIR/lake. Each run registers them afresh as external tables, so the
    pass-through columns of files loaded since are seen (schemas merged over all files);
    dropping an external table leaves its files alone. -#}
{% macro register_lake_sources() -%}
    {{ return(adapter.dispatch('register_lake_sources', 'fukan')()) }}
{%- endmacro %}

{% macro default__register_lake_sources() -%}
{%- endmacro %}

{% macro spark__register_lake_sources() -%}
    {%- if execute -%}
        {%- set lake = env_var('FUKAN_SPARK_DIR', '../warehouse/spark') ~ '/lake' -%}
        {#- The lake holds the CRM extracts; the pipeline's own tables (source ingest) are not written there. -#}
        {%- for source in graph.sources.values() | selectattr('source_name', 'equalto', 'crm') | sort(attribute='unique_id') -%}
            {%- set table = source.schema ~ '.`' ~ source.identifier ~ '`' -%}
            {%- do run_query('create schema if not exists ' ~ source.schema) -%}
            {%- do run_query('drop table if exists ' ~ table) -%}
            {%- do run_query('create table ' ~ table ~ " using parquet options (mergeSchema 'true') location '"
                ~ lake ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
