{#- The activities whose latest version is deleted: the incremental activity models
    remove them after each build (macro delete_deleted_activities). -#}
{{ config(materialized='view') }}
with

tasks as (select * from {{ ref('stg_crm__tasks') }}),

events as (select * from {{ ref('stg_crm__events') }})

select task_id as activity_id from tasks
where is_deleted
union all
select event_id as activity_id from events
where is_deleted
