{#- Post-hook of the incremental activity models: an activity whose latest version is
    deleted leaves the model (the merge only replaces rows that are still live). -#}
{% macro delete_deleted_activities() -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where activity_id in (
        select task_id from {{ ref('stg_crm__tasks') }} where is_deleted
        union all
        select event_id from {{ ref('stg_crm__events') }} where is_deleted
    )
    {%- endif %}
{%- endmacro %}
