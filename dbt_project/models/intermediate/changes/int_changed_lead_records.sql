{#- The leads with a lead or lead-history record loaded after the last recorded build
    (macro file_seq_watermark): new, changed and deleted leads, and leads with a new,
    changed or deleted history row. Every lead when no build is recorded. -#}
{{ config(materialized='view') }}
{%- set watermark = file_seq_watermark(ref('stg_ingest__dbt_builds'), own_rows=false) %}
with

leads as (select * from {{ ref('stg_crm__leads') }}),

lead_history as (select * from {{ ref('stg_crm__lead_history') }})

select lead_id from leads
where source_file_seq > {{ watermark }}
union
select lead_id from lead_history
where source_file_seq > {{ watermark }}
