{#- Which department and team each user belonged to, and when.
    The user-to-department seed wins within its validity dates (it exists for users whose
    CRM department field is not enough: blank, ambiguous, or a move between departments);
    outside them the CRM department field applies when it maps; else 'unassigned'.
    Periods are half-open [valid_from, valid_to) dates; null valid_to means open-ended. -#}
with

users as (select * from {{ ref('stg_crm__users') }}),

roles as (select * from {{ ref('stg_crm__user_roles') }}),

department_mapping as (select * from {{ ref('department_mapping') }}),

overrides as (select * from {{ ref('user_department_overrides') }}),

users_with_field_department as (
    select
        users.user_id,
        coalesce(department_mapping.department, 'unassigned') as field_department
    from users
    left join department_mapping
        on trim(users.crm_department) = department_mapping.department_value
),

boundaries as (
    select
        user_id,
        cast(valid_from as date) as boundary_date
    from overrides
    where valid_from is not null
    union
    select
        user_id,
        cast(valid_to as date) as boundary_date
    from overrides
    where valid_to is not null
    union
    select
        user_id,
        cast('1900-01-01' as date) as boundary_date
    from users_with_field_department
),

segments as (
    select
        user_id,
        boundary_date as valid_from,
        lead(boundary_date) over (partition by user_id order by boundary_date) as valid_to
    from boundaries
),

segment_departments as (
    select
        segments.user_id,
        segments.valid_from,
        segments.valid_to,
        coalesce(overrides.department, users_with_field_department.field_department) as department,
        overrides.user_id is not null as is_from_override
    from segments
    inner join users_with_field_department
        on segments.user_id = users_with_field_department.user_id
    left join overrides
        on
            segments.user_id = overrides.user_id
            and segments.valid_from >= coalesce(cast(overrides.valid_from as date), cast('1900-01-01' as date))
            and segments.valid_from < coalesce(cast(overrides.valid_to as date), cast('9999-12-31' as date))
)

select
    segment_departments.user_id,
    segment_departments.valid_from,
    segment_departments.valid_to,
    segment_departments.valid_to is null as is_current,
    segment_departments.department,
    segment_departments.is_from_override,
    users.user_name,
    users.title,
    users.crm_department,
    users.user_role_id as team_id,
    roles.role_name as team_name,
    users.manager_user_id,
    coalesce(users.is_active, true) as is_active
from segment_departments
inner join users
    on segment_departments.user_id = users.user_id
left join roles
    on users.user_role_id = roles.user_role_id
