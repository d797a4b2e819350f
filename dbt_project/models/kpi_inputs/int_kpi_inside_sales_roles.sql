{#- One row per inside-sales activity and per inside-sales opportunity with the role it
    serves (seed inside_sales_role_rules: the first matching rule by precedence, else
    nurture), the attributes the rules read on the record's day, and the counts it adds
    to kpi_inside_sales_roles. Definitions: _int_kpi_inside_sales_roles.yml.

    A view: eleven million rows at a million leads cost more to write than to compute,
    and only int_kpi_inside_sales_role_days (summed per day) reads them in a refresh;
    the view answers "which role, by which rule" for any record on demand. -#}
{{ config(materialized='view') }}
{%- set recycle_after_days = var('recycle_after_days') %}
with

activities as (select * from {{ ref('fct_activities') }}),

leads as (select * from {{ ref('fct_leads') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

users as (select * from {{ ref('dim_users') }}),

rules as (select * from {{ ref('inside_sales_role_rules') }}),

lead_statuses as (select * from {{ ref('int_lead_status_intervals') }}),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
    where not is_deleted
),

-- The account an activity was logged on (tasks and events carry it; fct_activities not).
activity_accounts as (
    select
        task_id as activity_id,
        account_id
    from {{ ref('stg_crm__tasks') }}
    where account_id is not null
    union all
    select
        event_id as activity_id,
        account_id
    from {{ ref('stg_crm__events') }}
    where account_id is not null
),

disqualifications as (
    select
        lead_id,
        min(valid_from_date) as first_disqualified_date
    from lead_statuses
    where is_disqualified
    group by lead_id
),

-- The first deal lost per lead and per account, and the first won per account: on a
-- given day a lead or account had a deal lost, and an account was a customer.
lead_losses as (
    select
        lead_id,
        min(closed_date) as first_lost_date
    from opportunities
    where is_lost and closed_date is not null and lead_id is not null
    group by lead_id
),

account_losses as (
    select
        account_id,
        min(closed_date) as first_lost_date
    from opportunities
    where is_lost and closed_date is not null and account_id is not null
    group by account_id
),

account_wins as (
    select
        account_id,
        min(closed_date) as first_won_date
    from opportunities
    where is_won and closed_date is not null and account_id is not null
    group by account_id
),

-- What a record reads of its lead and of its account, one row per id, so that each
-- record joins each once: the live lead (live_lead_id; an activity may name a lead with
-- a lost deal or a disqualification that is not live) with its converted opportunity,
-- and the account's type, first win and first loss.
lead_keys as (
    select lead_id from leads
    union
    select lead_id from lead_losses
    union
    select lead_id from disqualifications
),

lead_facts as (
    select
        lead_keys.lead_id,
        leads.lead_id as live_lead_id,
        leads.lead_source,
        leads.lead_quality,
        leads.owner_user_id,
        converted.opportunity_id as converted_opportunity_id,
        converted.created_at as converted_created_at,
        converted.account_id as converted_account_id,
        converted.lead_source as converted_lead_source,
        converted.opportunity_type as converted_opportunity_type,
        lead_losses.first_lost_date,
        disqualifications.first_disqualified_date
    from lead_keys
    left join leads
        on lead_keys.lead_id = leads.lead_id
    left join opportunities as converted
        on leads.converted_opportunity_id = converted.opportunity_id
    left join lead_losses
        on lead_keys.lead_id = lead_losses.lead_id
    left join disqualifications
        on lead_keys.lead_id = disqualifications.lead_id
),

account_keys as (
    select account_id from accounts
    union
    select account_id from account_wins
    union
    select account_id from account_losses
),

account_facts as (
    select
        account_keys.account_id,
        accounts.account_type,
        account_wins.first_won_date,
        account_losses.first_lost_date
    from account_keys
    left join accounts
        on account_keys.account_id = accounts.account_id
    left join account_wins
        on account_keys.account_id = account_wins.account_id
    left join account_losses
        on account_keys.account_id = account_losses.account_id
),

-- Inside-sales activities (owner in inside sales that day) and their counts.
activity_records as (
    select
        'activity' as record_type,
        activities.activity_id as record_id,
        activities.owner_user_id as rep_user_id,
        coalesce(activities.owner_team_id, 'unassigned') as team_id,
        coalesce(activities.owner_team_name, 'unassigned') as team_name,
        activities.occurred_date as record_date,
        activities.occurred_at as record_at,
        activities.lead_id,
        lead_facts.lead_quality,
        -- The related opportunity, else the lead's once it existed.
        coalesce(
            related.opportunity_id,
            case
                when activities.occurred_at >= lead_facts.converted_created_at
                    then lead_facts.converted_opportunity_id
            end
        ) as opportunity_id,
        coalesce(
            activity_accounts.account_id,
            related.account_id,
            case
                when activities.occurred_at >= lead_facts.converted_created_at
                    then lead_facts.converted_account_id
            end
        ) as account_id,
        coalesce(
            lead_facts.lead_source,
            related.lead_source,
            case
                when activities.occurred_at >= lead_facts.converted_created_at
                    then lead_facts.converted_lead_source
            end
        ) as lead_source,
        coalesce(
            related.opportunity_type,
            case
                when activities.occurred_at >= lead_facts.converted_created_at
                    then lead_facts.converted_opportunity_type
            end
        ) as opportunity_type,
        lead_facts.first_lost_date as lead_first_lost_date,
        lead_facts.first_disqualified_date,
        case when activities.activity_type = 'call' and activities.is_completed then 1 else 0 end as calls,
        case
            when activities.activity_type = 'call' and activities.is_completed and activities.is_connected then 1
            else 0
        end as connected_calls,
        case when {{ is_appointment('activities') }} then 1 else 0 end as appointments,
        0 as opportunities,
        cast(null as date) as won_date,
        cast(null as {{ type_double() }}) as won_amount
    from activities
    left join lead_facts
        on activities.lead_id = lead_facts.lead_id
    left join activity_accounts
        on activities.activity_id = activity_accounts.activity_id
    left join opportunities as related
        on activities.what_id = related.opportunity_id
    where activities.owner_department = 'inside_sales'
),

-- Opportunities from the leads a rep in inside sales owned on the creation day (as in
-- kpi_inside_sales), with their win on the close date.
opportunity_records as (
    select
        'opportunity' as record_type,
        opportunities.opportunity_id as record_id,
        lead_facts.owner_user_id as rep_user_id,
        coalesce(owners.team_id, 'unassigned') as team_id,
        coalesce(owners.team_name, 'unassigned') as team_name,
        opportunities.created_date as record_date,
        opportunities.created_at as record_at,
        opportunities.lead_id,
        lead_facts.lead_quality,
        opportunities.opportunity_id,
        opportunities.account_id,
        coalesce(lead_facts.lead_source, opportunities.lead_source) as lead_source,
        opportunities.opportunity_type,
        lead_facts.first_lost_date as lead_first_lost_date,
        lead_facts.first_disqualified_date,
        0 as calls,
        0 as connected_calls,
        0 as appointments,
        1 as opportunities,
        case when opportunities.is_won then opportunities.closed_date end as won_date,
        case when opportunities.is_won then opportunities.won_amount end as won_amount
    from opportunities
    inner join lead_facts
        on opportunities.lead_id = lead_facts.live_lead_id
    inner join users as owners
        on {{ user_period_on('owners', 'lead_facts.owner_user_id', 'opportunities.created_date') }}
    where owners.department = 'inside_sales'
),

records as (
    select * from activity_records
    union all
    select * from opportunity_records
),

-- A customer on the day: a deal won on the account before it, or account type Customer
-- on an account with no won deal at all (a customer from before the CRM; the type is
-- today's, so a won deal says since when). Re-engaged: the lead disqualified, or a deal
-- of the lead or account lost, at least var recycle_after_days before the day (a fresh
-- loss is still the same sale).
attributed as (
    select
        records.*,
        case
            when account_facts.first_won_date is not null then account_facts.first_won_date < records.record_date
            else coalesce(account_facts.account_type = 'Customer', false)
        end as is_existing_customer,
        coalesce(
            {{ dbt.dateadd('day', recycle_after_days, 'records.lead_first_lost_date') }} <= records.record_date, false
        )
        or coalesce(
            {{ dbt.dateadd('day', recycle_after_days, 'account_facts.first_lost_date') }} <= records.record_date, false
        )
        or coalesce(
            {{ dbt.dateadd('day', recycle_after_days, 'records.first_disqualified_date') }}
            <= records.record_date,
            false
        ) as is_re_engaged,
        records.lead_id is not null as has_lead
    from records
    left join account_facts
        on records.account_id = account_facts.account_id
),

-- The rules are matched once per combination of the values the attributes they read can
-- take (a few hundred, from the leads and opportunities), not per record, so the records
-- are read once; the first matching rule by precedence wins. A missing source or type is
-- keyed as '' (no rule condition matches either).
lead_sources as (
    select coalesce(lead_source, '') as lead_source from leads
    union
    select coalesce(lead_source, '') as lead_source from opportunities
),

opportunity_types as (
    select '' as opportunity_type
    union
    select coalesce(opportunity_type, '') as opportunity_type from opportunities
),

flags as (
    select true as flag
    union all
    select false as flag
),

profiles as (
    select
        lead_sources.lead_source,
        opportunity_types.opportunity_type,
        existing_customer.flag as is_existing_customer,
        re_engaged.flag as is_re_engaged,
        with_lead.flag as has_lead
    from lead_sources
    cross join opportunity_types
    cross join flags as existing_customer
    cross join flags as re_engaged
    cross join flags as with_lead
),

matches as (
    select
        profiles.lead_source,
        profiles.opportunity_type,
        profiles.is_existing_customer,
        profiles.is_re_engaged,
        profiles.has_lead,
        rules.rule_id,
        rules.role as sales_role,
        row_number() over (
            partition by
                profiles.lead_source,
                profiles.opportunity_type,
                profiles.is_existing_customer,
                profiles.is_re_engaged,
                profiles.has_lead
            order by rules.precedence
        ) as match_number
    from profiles
    inner join rules
        on
            (
                {{ empty_as_null('rules.lead_sources') }} is null
                or coalesce({{ in_pipe_list('profiles.lead_source', 'rules.lead_sources') }}, false)
            )
            and (
                {{ empty_as_null('rules.opportunity_type') }} is null
                or profiles.opportunity_type = rules.opportunity_type
            )
            and (rules.is_existing_customer is null or profiles.is_existing_customer = rules.is_existing_customer)
            and (rules.is_re_engaged is null or profiles.is_re_engaged = rules.is_re_engaged)
            and (rules.has_lead is null or profiles.has_lead = rules.has_lead)
)

select
    cast(attributed.record_type as {{ dbt.type_string() }}) as record_type,
    cast(attributed.record_id as {{ dbt.type_string() }}) as record_id,
    cast(attributed.rep_user_id as {{ dbt.type_string() }}) as rep_user_id,
    cast(attributed.team_id as {{ dbt.type_string() }}) as team_id,
    cast(attributed.team_name as {{ dbt.type_string() }}) as team_name,
    attributed.record_date,
    attributed.record_at,
    cast(attributed.lead_id as {{ dbt.type_string() }}) as lead_id,
    cast(coalesce(attributed.lead_quality, 'no_lead') as {{ dbt.type_string() }}) as lead_quality,
    cast(attributed.opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
    cast(attributed.account_id as {{ dbt.type_string() }}) as account_id,
    cast(attributed.lead_source as {{ dbt.type_string() }}) as lead_source,
    cast(attributed.opportunity_type as {{ dbt.type_string() }}) as opportunity_type,
    attributed.is_existing_customer,
    attributed.is_re_engaged,
    attributed.has_lead,
    cast(coalesce(matches.sales_role, 'nurture') as {{ dbt.type_string() }}) as sales_role,
    cast(coalesce(matches.rule_id, 'default') as {{ dbt.type_string() }}) as role_rule_id,
    cast(attributed.calls as {{ dbt.type_bigint() }}) as calls,
    cast(attributed.connected_calls as {{ dbt.type_bigint() }}) as connected_calls,
    cast(attributed.appointments as {{ dbt.type_bigint() }}) as appointments,
    cast(attributed.opportunities as {{ dbt.type_bigint() }}) as opportunities,
    attributed.won_date,
    cast(attributed.won_amount as {{ type_double() }}) as won_amount
from attributed
left join matches
    on
        coalesce(attributed.lead_source, '') = matches.lead_source
        and coalesce(attributed.opportunity_type, '') = matches.opportunity_type
        and attributed.is_existing_customer = matches.is_existing_customer
        and attributed.is_re_engaged = matches.is_re_engaged
        and attributed.has_lead = matches.has_lead
        and matches.match_number = 1
