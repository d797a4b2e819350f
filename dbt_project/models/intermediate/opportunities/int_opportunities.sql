{#- Live opportunities with the lead they came from (the lead whose conversion created
    them), their stage category and the owner's department when they were created. -#}
with

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
    where not is_deleted
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
    where not is_deleted
),

stages as (select * from {{ ref('opportunity_stage_mapping') }}),

users as (select * from {{ ref('int_users_department_history') }}),

originating_leads as (
    select
        converted_opportunity_id as opportunity_id,
        min(lead_id) as lead_id
    from leads
    where converted_opportunity_id is not null
    group by converted_opportunity_id
)

select
    opportunities.opportunity_id,
    opportunities.account_id,
    opportunities.owner_user_id,
    users.department as owner_department,
    users.team_name as owner_team_name,
    originating_leads.lead_id,
    opportunities.campaign_id,
    opportunities.opportunity_type,
    opportunities.lead_source,
    opportunities.stage_name,
    stages.stage_order,
    stages.stage_category,
    coalesce(stages.is_won, opportunities.is_won, false) as is_won,
    coalesce(stages.stage_category = 'lost', opportunities.is_closed and not opportunities.is_won, false) as is_lost,
    coalesce(stages.is_closed, opportunities.is_closed, false) as is_closed,
    cast(opportunities.amount as {{ type_double() }}) as amount,
    opportunities.currency_iso_code,
    opportunities.created_at,
    {{ to_reporting_date('opportunities.created_at') }} as created_date,
    opportunities.close_date
from opportunities
left join originating_leads
    on opportunities.opportunity_id = originating_leads.opportunity_id
left join stages
    on opportunities.stage_name = stages.stage_name
left join users
    on {{ user_period_on('users', 'opportunities.owner_user_id', to_reporting_date('opportunities.created_at')) }}
