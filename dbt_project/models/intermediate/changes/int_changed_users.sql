{#- The users with a version of their own record, or whose role's record, loaded after
    the last recorded build (macro file_seq_watermark): the owners whose department and
    team history may have changed, so their activities and leads are rebuilt. Every
    version counts, not only the current one: a late file with an older version still
    changes the history. Every user when no build is recorded. -#}
{{ config(materialized='view') }}
{%- set watermark = file_seq_watermark(ref('stg_ingest__dbt_builds'), own_rows=false) %}
with

user_versions as (select * from {{ ref('stg_crm__user_versions') }}),

user_roles as (select * from {{ ref('stg_crm__user_roles') }})

select user_versions.user_id
from user_versions
left join user_roles
    on user_versions.user_role_id = user_roles.user_role_id
where
    user_versions.source_file_seq > {{ watermark }}
    or user_roles.source_file_seq > {{ watermark }}
group by user_versions.user_id
