{#- Every loaded version of every user row, not only the latest: the department text
    and role (team) each version carried and when it was last modified. The user's
    department and team history (int_users_department_history) is built from it. A
    view: the user extract is small, and its readers take every row. -#}
{{ config(materialized='view') }}

select
    id as user_id,
    department as crm_department,
    user_role_id,
    {{ crm_version_columns() }}
from {{ source('crm', 'user') }}
