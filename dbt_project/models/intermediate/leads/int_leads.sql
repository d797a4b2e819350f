{#- Live (not deleted) leads with their attribution: the campaign that brought them
    (first campaign membership) and the owner's department and team when the lead was
    created.

    Incremental: the leads int_lead_changes lists are deleted and built again. -#}
{{ config(incremental_strategy='append', pre_hook="{{ delete_lead_changes() }}") }}
with

leads as (
    select * from {{ ref('stg_crm__leads') }}
    where not is_deleted{{ lead_changes_filter() }}
),

campaign_members as (
    select * from {{ ref('stg_crm__campaign_members') }}
    where not is_deleted{{ lead_changes_filter() }}
),

users as (select * from {{ ref('int_users_department_history') }}),

memberships_in_order as (
    select
        lead_id,
        campaign_id,
        row_number() over (
            partition by lead_id
            order by
                coalesce(cast(first_responded_date as {{ dbt.type_timestamp() }}), created_at),
                created_at,
                campaign_member_id
        ) as membership_number
    from campaign_members
    where lead_id is not null
),

first_campaign as (
    select
        lead_id,
        campaign_id
    from memberships_in_order
    where membership_number = 1
)

select
    leads.lead_id,
    leads.created_at,
    {{ to_reporting_date('leads.created_at') }} as created_date,
    leads.company_name,
    leads.lead_source,
    leads.industry,
    leads.title,
    leads.number_of_employees,
    leads.country_code,
    leads.rating,
    first_campaign.campaign_id,
    leads.owner_user_id,
    users.department as owner_department,
    users.team_name as owner_team_name,
    leads.lead_status,
    coalesce(leads.is_converted, false) as is_converted,
    leads.converted_date,
    leads.converted_opportunity_id
from leads
left join first_campaign
    on leads.lead_id = first_campaign.lead_id
left join users
    on {{ user_period_on('users', 'leads.owner_user_id', to_reporting_date('leads.created_at')) }}
