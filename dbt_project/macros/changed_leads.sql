{#- The leads with a lead or lead_history record from a landing file loaded after
    `watermark` (macro file_seq_watermark): new, changed and deleted leads, and leads
    with a new, changed or deleted history row. -#}
{% macro leads_with_changed_records(watermark) -%}
    select lead_id from {{ ref('stg_crm__leads') }} where source_file_seq > {{ watermark }}
    union
    select lead_id from {{ ref('stg_crm__lead_history') }} where source_file_seq > {{ watermark }}
{%- endmacro %}


{#- The users whose record, or whose role's record, is from a landing file loaded after
    `watermark`: the owners whose department and team may have changed. -#}
{% macro users_with_changed_records(watermark) -%}
    select user_id from {{ ref('stg_crm__users') }}
    where source_file_seq > {{ watermark }}
        or user_role_id in (
            select user_role_id from {{ ref('stg_crm__user_roles') }} where source_file_seq > {{ watermark }}
        )
{%- endmacro %}


{#- The incremental lead-grain models (int_leads, the quality attributes and scores,
    int_lead_step_evidence, int_lead_funnel_steps, fct_leads, fct_funnel_events) rebuild,
    on an incremental build, the leads int_lead_changes lists. `lead_changes_filter`
    restricts a relation to them (" and lead_id in ...", or `keyword` 'where'; nothing
    on a full build), and `delete_lead_changes` is their pre-hook. -#}
{% macro lead_changes_filter(keyword='and') -%}
    {%- if is_incremental() %} {{ keyword }} lead_id in (select lead_id from {{ ref('int_lead_changes') }}){% endif -%}
{%- endmacro %}

{% macro delete_lead_changes() -%}
    {%- if is_incremental() %}
    delete from {{ this }} where lead_id in (select lead_id from {{ ref('int_lead_changes') }})
    {%- endif %}
{%- endmacro %}


{#- `column` of every version, in raw `relation`, of each record with a version from a
    landing file loaded after `watermark`: what a changed record points at now and what
    it pointed at before. -#}
{% macro versions_of_changed_records(relation, column, watermark) -%}
    select {{ column }} from {{ relation }}
    where id in (select id from {{ relation }} where _file_seq > {{ watermark }})
{%- endmacro %}
