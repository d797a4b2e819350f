{#- One row per team (CRM user role): its id and its name as it is now, so a renamed team
    shows one name across all periods. dim_users.team_id joins here. -#}
with

roles as (select * from {{ ref('stg_crm__user_roles') }})

select
    user_role_id as team_id,
    role_name as team_name
from roles
