{#- One row per user and department period: who the user is, their team, and which
    department they belonged to from valid_from (inclusive) to valid_to (exclusive;
    null = still). Join on a date within the period for the department at the time. -#}
select
    user_id,
    valid_from,
    valid_to,
    is_current,
    user_name,
    title,
    department,
    crm_department,
    is_from_override as is_department_from_seed,
    team_id,
    team_name,
    manager_user_id,
    is_active
from {{ ref('int_users_department_history') }}
