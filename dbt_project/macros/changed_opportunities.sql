{#- The opportunities an incremental build of int_opportunity_history_intervals rebuilds
    for what landed since the last recorded build (macro file_seq_watermark): those with
    a version of their record, or of one of their history rows, in a newer landing file.
    Every version of a changed history row counts, so a row moved to another opportunity
    rebuilds both. `delete_changed_opportunities` is the model's pre-hook: their rows go
    first, deleted opportunities' among them. -#}
{% macro changed_opportunities() -%}
    {%- set watermark = file_seq_watermark(ref('stg_ingest__dbt_builds'), own_rows=false) -%}
    select opportunity_id from {{ ref('stg_crm__opportunity_versions') }}
    where source_file_seq > {{ watermark }}
    union
    {{ versions_of_changed_records(ref('stg_crm__record_versions'), 'opportunity_history', watermark) }}
{%- endmacro %}

{% macro delete_changed_opportunities() -%}
    {%- if is_incremental() %}
    delete from {{ this }} where opportunity_id in ({{ changed_opportunities() }})
    {%- endif %}
{%- endmacro %}
