{#- One row per opportunity still open (as of now) with a close date: its owner (and the
    owner's current team), close
    date, amount and chance of being won (fukan.win_probability: its forecast category's
    probability, seeds/forecast_category_mapping, else its stage's,
    seeds/opportunity_stage_mapping, as var win_probability_basis says). The wins and
    won-amount projections add these, weighted, to what is won already. -#}
with

opportunities as (select * from {{ ref('fct_opportunities') }}),

-- The forecast category is read from the opportunity's current CRM record.
crm_opportunities as (select * from {{ ref('stg_crm__opportunities') }}),

stages as (select * from {{ ref('opportunity_stage_mapping') }}),

forecast_categories as (select * from {{ ref('forecast_category_mapping') }}),

current_users as (
    select
        user_id,
        team_id
    from {{ ref('dim_users') }}
    where is_current
),

open_opportunities as (
    select
        opportunities.opportunity_id,
        opportunities.owner_user_id,
        opportunities.stage_name,
        trim(crm_opportunities.forecast_category) as forecast_category,
        opportunities.close_date,
        cast(coalesce(opportunities.amount, 0) as {{ type_double() }}) as amount
    from opportunities
    inner join crm_opportunities
        on opportunities.opportunity_id = crm_opportunities.opportunity_id
    where
        not opportunities.is_closed
        and opportunities.close_date is not null
)

select
    open_opportunities.opportunity_id,
    open_opportunities.owner_user_id,
    current_users.team_id as owner_team_id,
    open_opportunities.stage_name,
    open_opportunities.forecast_category,
    open_opportunities.close_date,
    open_opportunities.amount,
    cast(stages.win_probability as {{ type_double() }}) as stage_probability,
    cast(forecast_categories.win_probability as {{ type_double() }}) as category_probability,
    cast(
        coalesce({{ win_probability('stages.win_probability', 'forecast_categories.win_probability') }}, 0)
        as {{ type_double() }}
    ) as win_probability
from open_opportunities
left join stages
    on open_opportunities.stage_name = stages.stage_name
left join forecast_categories
    on open_opportunities.forecast_category = forecast_categories.forecast_category
left join current_users
    on open_opportunities.owner_user_id = current_users.user_id
