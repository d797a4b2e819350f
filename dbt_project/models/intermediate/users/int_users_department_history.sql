{#- Which department and team each user belonged to, and when, from every version of the
    user row the extracts delivered: a version applies from the day (reporting time zone)
    it was last modified until the next version's day; the earliest known version also
    covers the days before it. Of several versions modified on one day the last applies
    (latest modified_at, then the later file and row, as staging picks the current one).
    Team is the version's role. Department: the user-to-department seed wins within its
    validity dates (for a CRM field that is blank, does not map, or is wrong); outside
    them the version's CRM department field when it maps; else 'unassigned'.
    Consecutive periods with the same department, team and CRM text are merged.
    Periods are half-open [valid_from, valid_to) dates; null valid_to means open-ended.
    Name, title, manager and active flag are the user's current ones. -#}
with

versions as (select * from {{ ref('stg_crm__user_versions') }}),

users as (select * from {{ ref('stg_crm__users') }}),

roles as (select * from {{ ref('stg_crm__user_roles') }}),

department_mapping as (select * from {{ ref('department_mapping') }}),

overrides as (select * from {{ ref('user_department_overrides') }}),

dated_versions as (
    select
        user_id,
        crm_department,
        user_role_id,
        {{ to_reporting_date('modified_at') }} as modified_date,
        row_number() over (
            partition by user_id, {{ to_reporting_date('modified_at') }}
            order by modified_at desc, source_file_seq desc, source_row desc
        ) as day_version_number
    from versions
),

version_periods as (
    select
        dated_versions.user_id,
        dated_versions.crm_department,
        dated_versions.user_role_id,
        coalesce(department_mapping.department, 'unassigned') as field_department,
        case
            when
                row_number() over (partition by dated_versions.user_id order by dated_versions.modified_date) = 1
                then cast('1900-01-01' as date)
            else dated_versions.modified_date
        end as valid_from,
        lead(dated_versions.modified_date) over (
            partition by dated_versions.user_id order by dated_versions.modified_date
        ) as valid_to
    from dated_versions
    left join department_mapping
        on trim(dated_versions.crm_department) = department_mapping.department_value
    where dated_versions.day_version_number = 1
),

boundaries as (
    select
        user_id,
        valid_from as boundary_date
    from version_periods
    union
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
),

segments as (
    select
        user_id,
        boundary_date as valid_from,
        lead(boundary_date) over (partition by user_id order by boundary_date) as valid_to
    from boundaries
),

segment_attributes as (
    select
        segments.user_id,
        segments.valid_from,
        segments.valid_to,
        coalesce(overrides.department, version_periods.field_department) as department,
        overrides.user_id is not null as is_from_override,
        version_periods.crm_department,
        version_periods.user_role_id as team_id
    from segments
    inner join version_periods
        on {{ user_period_on('version_periods', 'segments.user_id', 'segments.valid_from') }}
    left join overrides
        on
            segments.user_id = overrides.user_id
            and segments.valid_from >= coalesce(cast(overrides.valid_from as date), cast('1900-01-01' as date))
            and segments.valid_from < coalesce(cast(overrides.valid_to as date), cast('9999-12-31' as date))
),

-- Gaps and islands: a run of consecutive segments that say the same thing is one period.
islands as (
    select
        *,
        row_number() over (partition by user_id order by valid_from)
        - row_number() over (
            partition by user_id, department, is_from_override, crm_department, team_id
            order by valid_from
        ) as island
    from segment_attributes
),

periods as (
    select
        user_id,
        department,
        is_from_override,
        crm_department,
        team_id,
        min(valid_from) as valid_from,
        -- An open-ended segment leaves the merged period open-ended.
        case when count(valid_to) = count(*) then max(valid_to) end as valid_to
    from islands
    group by user_id, island, department, is_from_override, crm_department, team_id
)

select
    periods.user_id,
    periods.valid_from,
    periods.valid_to,
    periods.valid_to is null as is_current,
    periods.department,
    periods.is_from_override,
    users.user_name,
    users.title,
    periods.crm_department,
    periods.team_id,
    roles.role_name as team_name,
    users.manager_user_id,
    coalesce(users.is_active, true) as is_active
from periods
inner join users
    on periods.user_id = users.user_id
left join roles
    on periods.team_id = roles.user_role_id
