{#- The incremental lead-grain models (int_leads, the quality attributes and scores,
    int_lead_step_evidence, int_lead_funnel_steps, fct_leads, fct_funnel_events) rebuild,
    on an incremental build, the leads int_lead_changes lists. `lead_changes_filter`
    restricts a relation to them (" and lead_id in ...", or `keyword` 'where'; nothing
    on a full build), and `delete_lead_changes` is their pre-hook. -#}
{% macro lead_changes_filter(keyword='and') -%}
    {#- Called on every build, so dbt sees the dependency when it parses the model. -#}
    {%- set lead_changes = ref('int_lead_changes') -%}
    {%- if is_incremental() %} {{ keyword }} lead_id in (select lead_id from {{ lead_changes }}){% endif -%}
{%- endmacro %}

{% macro delete_lead_changes() -%}
    {%- if is_incremental() %}
    delete from {{ this }} where lead_id in (select lead_id from {{ ref('int_lead_changes') }})
    {%- endif %}
{%- endmacro %}


{#- `pointed_at_id` of every version (model stg_crm__record_versions, `record_versions`)
    of each `object_name` record with a version from a landing file loaded after
    `watermark`: what a changed record points at now and what it pointed at before. -#}
{% macro versions_of_changed_records(record_versions, object_name, watermark) -%}
    select pointed_at_id from {{ record_versions }}
    where object_name = '{{ object_name }}'
        and record_id in (
            select record_id from {{ record_versions }}
            where object_name = '{{ object_name }}' and source_file_seq > {{ watermark }}
        )
{%- endmacro %}
