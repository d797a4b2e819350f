{#- The users whose own record, or whose role's record, was loaded after the last
    recorded build (macro file_seq_watermark): the owners whose department and team may
    have changed, so their activities and leads are rebuilt. Every user when no build is
    recorded. -#}
{{ config(materialized='view') }}
{%- set watermark = file_seq_watermark(ref('stg_ingest__dbt_builds'), own_rows=false) %}
with

users as (select * from {{ ref('stg_crm__users') }}),

user_roles as (select * from {{ ref('stg_crm__user_roles') }})

select users.user_id
from users
left join user_roles
    on users.user_role_id = user_roles.user_role_id
where
    users.source_file_seq > {{ watermark }}
    or user_roles.source_file_seq > {{ watermark }}
