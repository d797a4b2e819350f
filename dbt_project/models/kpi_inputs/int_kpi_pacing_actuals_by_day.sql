{#- One row per KPI, day and owner (with the owner's department on the record and team on
    the day), for the KPIs that seeds/kpi_targets.csv sets targets for: the value the
    owner's records add to the KPI that day (reporting time zone). Summed per day here, as
    every target counts whole days, so no row per call or lead is kept. What each KPI
    counts:
      leads, quality_leads          leads (quality leads) by created date; lead owner
      worked ... need_confirmed,
      handed_off                    leads reaching the funnel step, by step date; lead owner
      appointments                  meetings booked (macro is_appointment, as
                                    kpi_inside_sales counts them) by booking date; owner
      opportunities                 opportunities by created date; opportunity owner
      proposals                     opportunities with a proven proposal, by proposal date
      won, won_amount               won opportunities (count, amount in JPY) by close date
      calls, connected_calls,
      emails                        completed calls (connected) and e-mails by date; owner
    Opportunity KPIs include opportunities that come from no lead (field-sales KPIs).
    Activity KPIs are department-scoped: a department-level target counts the activities
    of users in that department on the day; every other KPI's department-level target
    counts all records. An owner-level target counts the owner's records, a team-level
    target the records whose owner was in the team on the day they count
    (owner_team_id, dim_users). -#}
{%- set lead_steps = {
    'worked': 'worked', 'contacted': 'contacted', 'need_confirmed': 'need_confirmed', 'handed_off': 'handed_off',
} %}
with

leads as (select * from {{ ref('fct_leads') }}),

opportunities as (select * from {{ ref('fct_opportunities') }}),

targets as (select * from {{ ref('int_kpi_pacing_targets') }}),

target_kpis as (
    select distinct kpi from targets
),

records as (
    select
        'leads' as kpi,
        created_date as actual_date,
        owner_user_id,
        owner_department,
        false as is_department_scoped,
        cast(1 as {{ type_double() }}) as actual_value
    from leads

    union all

    select
        'quality_leads' as kpi,
        created_date,
        owner_user_id,
        owner_department,
        false as is_department_scoped,
        cast(1 as {{ type_double() }})
    from leads
    where lead_quality = 'quality'
    {%- for kpi, step in lead_steps.items() %}

        union all

        select
            '{{ kpi }}',
            {{ step }}_date,
            owner_user_id,
            owner_department,
            false as is_department_scoped,
            cast(1 as {{ type_double() }})
        from leads
        where reached_{{ step }}
    {%- endfor %}

    union all

    select
        'opportunities' as kpi,
        created_date,
        owner_user_id,
        owner_department,
        false as is_department_scoped,
        cast(1 as {{ type_double() }})
    from opportunities

    union all

    select
        'proposals' as kpi,
        proposal_date,
        owner_user_id,
        owner_department,
        false as is_department_scoped,
        cast(1 as {{ type_double() }})
    from opportunities
    where has_proposal

    union all

    select
        'won' as kpi,
        closed_date,
        owner_user_id,
        owner_department,
        false as is_department_scoped,
        cast(1 as {{ type_double() }})
    from opportunities
    where is_won

    union all

    select
        'won_amount' as kpi,
        closed_date,
        owner_user_id,
        owner_department,
        false as is_department_scoped,
        cast(coalesce(won_amount, 0) as {{ type_double() }})
    from opportunities
    where is_won

    union all

    select
        case
            when {{ is_appointment('activities') }} then 'appointments'
            when activities.activity_type = 'email' then 'emails'
            else 'calls'
        end as kpi,
        activities.occurred_date,
        activities.owner_user_id,
        activities.owner_department,
        true as is_department_scoped,
        cast(1 as {{ type_double() }})
    -- fct_activities itself in both activity branches: a CTE read twice is materialised
    -- by DuckDB, every activity of it.
    from {{ ref('fct_activities') }} as activities
    where
        (activities.activity_type in ('call', 'email') and activities.is_completed)
        or {{ is_appointment('activities') }}

    union all

    select
        'connected_calls' as kpi,
        occurred_date,
        owner_user_id,
        owner_department,
        true as is_department_scoped,
        cast(1 as {{ type_double() }})
    from {{ ref('fct_activities') }}
    where
        activity_type = 'call'
        and is_completed
        and is_connected
),

by_day as (
    select
        records.kpi,
        records.actual_date,
        records.owner_user_id,
        records.owner_department,
        records.is_department_scoped,
        sum(records.actual_value) as actual_value
    from records
    inner join target_kpis
        on records.kpi = target_kpis.kpi
    where records.actual_date is not null
    group by
        records.kpi,
        records.actual_date,
        records.owner_user_id,
        records.owner_department,
        records.is_department_scoped
)

select
    by_day.*,
    owner_periods.team_id as owner_team_id
from by_day
left join {{ ref('dim_users') }} as owner_periods
    on {{ user_period_on('owner_periods', 'by_day.owner_user_id', 'by_day.actual_date') }}
