{#- The complete builds the pipeline recorded (source ingest.dbt_build_state), the base
    of the incremental models' watermark (macro file_seq_watermark). A view, so a build
    reads the state as it is when the build starts. The pipeline creates the table before
    its first build; where dbt runs alone it may be absent, and the view is empty. -#}
{{ config(materialized='view') }}
{%- set recorded = adapter.get_relation(
        database=source('ingest', 'dbt_build_state').database,
        schema=source('ingest', 'dbt_build_state').schema,
        identifier=source('ingest', 'dbt_build_state').identifier,
    ) if execute else none %}
{%- if recorded is not none %}
select
    cast(fingerprint as {{ dbt.type_string() }}) as definitions_fingerprint,
    cast(full_refresh as boolean) as is_full_refresh,
    cast(built_at as {{ dbt.type_timestamp() }}) as built_at,
    cast(loaded_through_file_seq as {{ dbt.type_bigint() }}) as loaded_through_file_seq
from {{ source('ingest', 'dbt_build_state') }}
{%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as definitions_fingerprint,
        cast(null as boolean) as is_full_refresh,
        cast(null as {{ dbt.type_timestamp() }}) as built_at,
        cast(null as {{ dbt.type_bigint() }}) as loaded_through_file_seq
    from (select 1 as no_build) as nothing_recorded
    where 1 = 0
{%- endif %}
