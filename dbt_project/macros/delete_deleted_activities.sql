{#- Post-hook of the incremental activity models: an activity whose latest version is
    deleted (model int_deleted_activities) leaves the model (the merge only replaces rows
    that are still live). -#}
{% macro delete_deleted_activities() -%}
    {%- set deleted_activities = ref('int_deleted_activities') -%}
    {%- if is_incremental() %}
    delete from {{ this }}
    where activity_id in (select activity_id from {{ deleted_activities }})
    {%- endif %}
{%- endmacro %}
