{#- Every loaded version, not only the latest, of the CRM records that point at a lead
    or an opportunity: which lead, contact or opportunity each version pointed at, and the
    landing file it came from. int_lead_changes and the pipeline-history models
    (macro changed_opportunities) read it to find what a changed record pointed at
    before its change as well as after. A view: each reader filters it by landing file
    first. -#}
{{ config(materialized='view') }}
{%- set pointers = [
    ('lead', 'converted_contact_id'),
    ('task', 'who_id'),
    ('event', 'who_id'),
    ('campaign_member', 'lead_id'),
    ('opportunity_history', 'opportunity_id'),
] %}
{%- for object_name, pointer in pointers %}
    select
        '{{ object_name }}' as object_name,
        id as record_id,
        {{ pointer }} as pointed_at_id,
        _file_seq as source_file_seq
    from {{ source('crm', object_name) }}
    {%- if not loop.last %}
        union all
    {%- endif %}
{%- endfor %}
