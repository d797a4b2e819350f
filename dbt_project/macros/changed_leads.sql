{#- The leads with a lead or lead_history record from a landing file loaded since the
    model's last build: new, changed and deleted leads, and leads with a new, changed or
    deleted history row. A model built from a lead's record and history alone (nothing
    from other objects, nothing that depends on the as-of instant) changes for these
    leads only, so it rebuilds exactly these. -#}
{% macro leads_with_changed_records() -%}
    {%- set watermark = file_seq_watermark(own_rows=false) %}
    select lead_id from {{ ref('stg_crm__leads') }} where source_file_seq > {{ watermark }}
    union
    select lead_id from {{ ref('stg_crm__lead_history') }} where source_file_seq > {{ watermark }}
{%- endmacro %}


{#- Pre-hook of those models on an incremental build: remove the changed leads' rows (a
    deleted lead leaves for good); the build then appends the live ones again. -#}
{% macro delete_leads_with_changed_records() -%}
    {%- if is_incremental() %}
    delete from {{ this }} where lead_id in ({{ leads_with_changed_records() }})
    {%- endif %}
{%- endmacro %}
